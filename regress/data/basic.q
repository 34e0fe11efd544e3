# RFC 1034 4.3.2: exact matches, NODATA, NXDOMAIN with the SOA at the
# RFC 2308 negative TTL, CNAME chains, referrals with glue.
zone example.com
$TTL 3600
@	SOA	ns1 hostmaster 1 7200 3600 1209600 300
	NS	ns1
	MX	10 mail
ns1	A	192.0.2.53
mail	A	192.0.2.25
www	CNAME	@
@	A	192.0.2.1
sub	NS	ns.sub
ns.sub	A	192.0.2.99
end

> example.com A
< NOERROR qr aa
an example.com. 3600 IN A 192.0.2.1
ns example.com. 3600 IN NS ns1.example.com.
ad ns1.example.com. 3600 IN A 192.0.2.53

> example.com A +rd
< NOERROR qr aa rd
an example.com. 3600 IN A 192.0.2.1

> EXAMPLE.com MX
< NOERROR qr aa
an EXAMPLE.com. 3600 IN MX 10 mail.example.com.
ns example.com. 3600 IN NS ns1.example.com.
ad mail.example.com. 3600 IN A 192.0.2.25
ad ns1.example.com. 3600 IN A 192.0.2.53

> ns1.example.com AAAA
< NOERROR qr aa
ns example.com. 300 IN SOA ns1.example.com. hostmaster.example.com. 1 7200 3600 1209600 300

> nothere.example.com A
< NXDOMAIN qr aa
ns example.com. 300 IN SOA ns1.example.com. hostmaster.example.com. 1 7200 3600 1209600 300

# An NXDOMAIN answer to an SOA query: the SOA at TTL 0, as from BIND.
> nothere.example.com SOA
< NXDOMAIN qr aa
ns example.com. 0 IN SOA ns1.example.com. hostmaster.example.com. 1 7200 3600 1209600 300

> www.example.com SOA +rd
< NOERROR qr aa rd
an www.example.com. 3600 IN CNAME example.com.
an example.com. 3600 IN SOA ns1.example.com. hostmaster.example.com. 1 7200 3600 1209600 300

> www.example.com A +rd
< NOERROR qr aa rd
an www.example.com. 3600 IN CNAME example.com.
an example.com. 3600 IN A 192.0.2.1

> host.sub.example.com A
< NOERROR qr
ns sub.example.com. 3600 IN NS ns.sub.example.com.
ad ns.sub.example.com. 3600 IN A 192.0.2.99

> example.org A
< REFUSED qr

# Transfers are refused unless allow-transfer lets the client in.
> example.com AXFR +tcp
< REFUSED qr
