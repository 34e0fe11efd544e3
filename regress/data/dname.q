# RFC 6672: DNAME substitution, the synthesized CNAME, chains inside the
# zone, and YXDOMAIN when the result would be too long.
zone example.com
$TTL 300
@	SOA	ns1 hostmaster 1 7200 3600 1209600 60
	NS	ns1
ns1	A	192.0.2.1
dn	DNAME	target.example.com.
dn	A	192.0.2.2
target	TXT	"target apex"
www.target	A	192.0.2.3
out	DNAME	example.net.
long	DNAME	aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb.ccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc.dddddddddddddddddddddddddddddddddddddddddddddddddddd.
end
options
minimal-responses yes;
end

> www.dn.example.com A
< NOERROR qr aa
an dn.example.com. 300 IN DNAME target.example.com.
an www.dn.example.com. 300 IN CNAME www.target.example.com.
an www.target.example.com. 300 IN A 192.0.2.3

# The DNAME owner itself is not redirected.
> dn.example.com A
< NOERROR qr aa
an dn.example.com. 300 IN A 192.0.2.2

> nx.dn.example.com A
< NXDOMAIN qr aa
an dn.example.com. 300 IN DNAME target.example.com.
an nx.dn.example.com. 300 IN CNAME nx.target.example.com.
ns example.com. 60 IN SOA ns1.example.com. hostmaster.example.com. 1 7200 3600 1209600 60

# Out of the zone: the synthesized CNAME is the last thing we say.
> www.out.example.com A
< NOERROR qr aa
an out.example.com. 300 IN DNAME example.net.
an www.out.example.com. 300 IN CNAME www.example.net.

> www.dn.example.com CNAME
< NOERROR qr aa
an dn.example.com. 300 IN DNAME target.example.com.
an www.dn.example.com. 300 IN CNAME www.target.example.com.

# RFC 6672 2.2: the substituted name would exceed 255 octets.
> aaaaaaaaaaaaaaaa.long.example.com A +tcp
< YXDOMAIN qr aa
an long.example.com. 300 IN DNAME aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb.ccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc.dddddddddddddddddddddddddddddddddddddddddddddddddddd.
