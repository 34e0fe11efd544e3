# Response rate limiting (rate-limit): at one response a second and
# slip 1, the second response of an account goes out truncated (TC=1,
# header and question only, NXDOMAIN keeping its RCODE); errors are
# dropped, never slipped. Accounts as in BIND: name and type for
# answers, the name alone for NODATA and referrals (the cut), the zone
# for NXDOMAIN, one for all the wildcards of a zone. TCP is never
# limited, nor are queries that return a valid server cookie; a client
# that sent a cookie gets BADCOOKIE instead of TC=1.
zone example.com
$TTL 3600
@	SOA	ns1 hostmaster 1 7200 3600 1209600 300
	NS	ns1
ns1	A	192.0.2.53
@	A	192.0.2.1
*.wild	A	192.0.2.7
sub	NS	ns.sub
ns.sub	A	192.0.2.99
end

options
rate-limit { responses-per-second 1; slip 1; };
end

> example.com A
< NOERROR qr aa
an example.com. 3600 IN A 192.0.2.1
ns example.com. 3600 IN NS ns1.example.com.
ad ns1.example.com. 3600 IN A 192.0.2.53

> example.com A +edns=1232
< NOERROR qr aa tc

> example.com A +tcp
< NOERROR qr aa
an example.com. 3600 IN A 192.0.2.1
ns example.com. 3600 IN NS ns1.example.com.
ad ns1.example.com. 3600 IN A 192.0.2.53

# another type: another account
> example.com NS
< NOERROR qr aa
an example.com. 3600 IN NS ns1.example.com.
ad ns1.example.com. 3600 IN A 192.0.2.53

> a.example.com A
< NXDOMAIN qr aa
ns example.com. 300 IN SOA ns1.example.com. hostmaster.example.com. 1 7200 3600 1209600 300

# another name, the same zone
> b.example.com A
< NXDOMAIN qr aa tc

> ns1.example.com AAAA
< NOERROR qr aa
ns example.com. 300 IN SOA ns1.example.com. hostmaster.example.com. 1 7200 3600 1209600 300

# NODATA counts per name, whatever the type
> ns1.example.com TXT
< NOERROR qr aa tc

> x.sub.example.com A
< NOERROR qr
ns sub.example.com. 3600 IN NS ns.sub.example.com.
ad ns.sub.example.com. 3600 IN A 192.0.2.99

# a referral counts for the cut
> y.sub.example.com MX
< NOERROR qr tc

> one.wild.example.com A
< NOERROR qr aa
an one.wild.example.com. 3600 IN A 192.0.2.7
ns example.com. 3600 IN NS ns1.example.com.
ad ns1.example.com. 3600 IN A 192.0.2.53

# every wildcard answer of the zone shares one account
> two.wild.example.com A
< NOERROR qr aa tc

> example.org A
< REFUSED qr

> example.net A
< dropped

# the first account again, over its limit: with a client cookie, the
# slip is BADCOOKIE (and a fresh server cookie); with our server cookie
# back, no limit; with one two hours old, limited again
> example.com A +cookie
< BADCOOKIE qr

> example.com A +cookie=valid
< NOERROR qr aa
an example.com. 3600 IN A 192.0.2.1
ns example.com. 3600 IN NS ns1.example.com.
ad ns1.example.com. 3600 IN A 192.0.2.53

> example.com A +cookie=old
< BADCOOKIE qr
