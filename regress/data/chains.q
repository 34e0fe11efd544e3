# Chains that never end: each record is sent once (RFC 2181 5), and the
# chain ends in SERVFAIL as one too long. Wildcards whose CNAME target
# they synthesise themselves. A referral whose glue below the cut does
# not fit in 512 octets is truncated (RFC 9471 3.1).
zone loops.test
$TTL 300
@	SOA	ns hostmaster 1 7200 3600 1209600 60
	NS	ns
ns	A	192.0.2.1
a	DNAME	b.loops.test.
b	DNAME	a.loops.test.
dng	DNAME	y.dng.loops.test.
dc	DNAME	c.loops.test.
x.c	CNAME	x.dc.loops.test.
*.w	CNAME	a.w
*.w2	CNAME	b.w2
b.w2	CNAME	c.w2
big	NS	ns1.name-server-with-a-rather-long-label-here.big
	NS	ns2.name-server-with-a-rather-long-label-here.big
	NS	ns3.name-server-with-a-rather-long-label-here.big
	NS	ns4.name-server-with-a-rather-long-label-here.big
	NS	ns5.name-server-with-a-rather-long-label-here.big
	NS	ns6.name-server-with-a-rather-long-label-here.big
	NS	ns7.name-server-with-a-rather-long-label-here.sib
	NS	ns8.name-server-with-a-rather-long-label-here.sib
	NS	ns9.name-server-with-a-rather-long-label-here.example.net.
sib	NS	ns7.name-server-with-a-rather-long-label-here.sib
ns1.name-server-with-a-rather-long-label-here.big	A	192.0.2.11
	AAAA	2001:db8::11
ns2.name-server-with-a-rather-long-label-here.big	A	192.0.2.12
	AAAA	2001:db8::12
ns3.name-server-with-a-rather-long-label-here.big	A	192.0.2.13
	AAAA	2001:db8::13
ns4.name-server-with-a-rather-long-label-here.big	A	192.0.2.14
	AAAA	2001:db8::14
ns5.name-server-with-a-rather-long-label-here.big	A	192.0.2.15
	AAAA	2001:db8::15
ns6.name-server-with-a-rather-long-label-here.big	A	192.0.2.16
	AAAA	2001:db8::16
ns7.name-server-with-a-rather-long-label-here.sib	A	192.0.2.17
	AAAA	2001:db8::17
ns8.name-server-with-a-rather-long-label-here.sib	A	192.0.2.18
	AAAA	2001:db8::18
fit	NS	ns1.name-server-with-a-rather-long-label-here.fit
	NS	ns7.name-server-with-a-rather-long-label-here.sib
	NS	ns8.name-server-with-a-rather-long-label-here.sib
	NS	ns10.name-server-with-a-rather-long-label-here.sib
	NS	ns11.name-server-with-a-rather-long-label-here.sib
	NS	ns12.name-server-with-a-rather-long-label-here.sib
	NS	ns13.name-server-with-a-rather-long-label-here.sib
	NS	ns9.name-server-with-a-rather-long-label-here.example.net.
ns1.name-server-with-a-rather-long-label-here.fit	A	192.0.2.21
	AAAA	2001:db8::21
ns10.name-server-with-a-rather-long-label-here.sib	A	192.0.2.30
	AAAA	2001:db8::30
ns11.name-server-with-a-rather-long-label-here.sib	A	192.0.2.31
	AAAA	2001:db8::31
ns12.name-server-with-a-rather-long-label-here.sib	A	192.0.2.32
	AAAA	2001:db8::32
ns13.name-server-with-a-rather-long-label-here.sib	A	192.0.2.33
	AAAA	2001:db8::33
end
options
minimal-responses yes;
end

> x.a.loops.test A +edns
< SERVFAIL qr aa
an a.loops.test. 300 IN DNAME b.loops.test.
an b.loops.test. 300 IN DNAME a.loops.test.
an x.a.loops.test. 300 IN CNAME x.b.loops.test.
an x.b.loops.test. 300 IN CNAME x.a.loops.test.

> x.dng.loops.test A +edns
< SERVFAIL qr aa
an dng.loops.test. 300 IN DNAME y.dng.loops.test.
an x.dng.loops.test. 300 IN CNAME x.y.dng.loops.test.
an x.y.dng.loops.test. 300 IN CNAME x.y.y.dng.loops.test.
an x.y.y.dng.loops.test. 300 IN CNAME x.y.y.y.dng.loops.test.
an x.y.y.y.dng.loops.test. 300 IN CNAME x.y.y.y.y.dng.loops.test.
an x.y.y.y.y.dng.loops.test. 300 IN CNAME x.y.y.y.y.y.dng.loops.test.
an x.y.y.y.y.y.dng.loops.test. 300 IN CNAME x.y.y.y.y.y.y.dng.loops.test.
an x.y.y.y.y.y.y.dng.loops.test. 300 IN CNAME x.y.y.y.y.y.y.y.dng.loops.test.
an x.y.y.y.y.y.y.y.dng.loops.test. 300 IN CNAME x.y.y.y.y.y.y.y.y.dng.loops.test.
an x.y.y.y.y.y.y.y.y.dng.loops.test. 300 IN CNAME x.y.y.y.y.y.y.y.y.y.dng.loops.test.
an x.y.y.y.y.y.y.y.y.y.dng.loops.test. 300 IN CNAME x.y.y.y.y.y.y.y.y.y.y.dng.loops.test.
an x.y.y.y.y.y.y.y.y.y.y.dng.loops.test. 300 IN CNAME x.y.y.y.y.y.y.y.y.y.y.y.dng.loops.test.
an x.y.y.y.y.y.y.y.y.y.y.y.dng.loops.test. 300 IN CNAME x.y.y.y.y.y.y.y.y.y.y.y.y.dng.loops.test.

> x.dc.loops.test A
< SERVFAIL qr aa
an dc.loops.test. 300 IN DNAME c.loops.test.
an x.c.loops.test. 300 IN CNAME x.dc.loops.test.
an x.dc.loops.test. 300 IN CNAME x.c.loops.test.

> x.w.loops.test A
< SERVFAIL qr aa
an a.w.loops.test. 300 IN CNAME a.w.loops.test.
an x.w.loops.test. 300 IN CNAME a.w.loops.test.

> x.w2.loops.test A
< SERVFAIL qr aa
an b.w2.loops.test. 300 IN CNAME c.w2.loops.test.
an c.w2.loops.test. 300 IN CNAME b.w2.loops.test.
an x.w2.loops.test. 300 IN CNAME b.w2.loops.test.

# Glue below the cut that does not fit: TC.
> big.loops.test A
< NOERROR qr tc
ad ns1.name-server-with-a-rather-long-label-here.big.loops.test. 300 IN A 192.0.2.11
ad ns2.name-server-with-a-rather-long-label-here.big.loops.test. 300 IN A 192.0.2.12
ad ns3.name-server-with-a-rather-long-label-here.big.loops.test. 300 IN A 192.0.2.13
ad ns4.name-server-with-a-rather-long-label-here.big.loops.test. 300 IN A 192.0.2.14
ad ns5.name-server-with-a-rather-long-label-here.big.loops.test. 300 IN A 192.0.2.15
ad ns5.name-server-with-a-rather-long-label-here.big.loops.test. 300 IN AAAA 2001:db8::15
ad ns6.name-server-with-a-rather-long-label-here.big.loops.test. 300 IN A 192.0.2.16
ad ns6.name-server-with-a-rather-long-label-here.big.loops.test. 300 IN AAAA 2001:db8::16
ns big.loops.test. 300 IN NS ns1.name-server-with-a-rather-long-label-here.big.loops.test.
ns big.loops.test. 300 IN NS ns2.name-server-with-a-rather-long-label-here.big.loops.test.
ns big.loops.test. 300 IN NS ns3.name-server-with-a-rather-long-label-here.big.loops.test.
ns big.loops.test. 300 IN NS ns4.name-server-with-a-rather-long-label-here.big.loops.test.
ns big.loops.test. 300 IN NS ns5.name-server-with-a-rather-long-label-here.big.loops.test.
ns big.loops.test. 300 IN NS ns6.name-server-with-a-rather-long-label-here.big.loops.test.
ns big.loops.test. 300 IN NS ns7.name-server-with-a-rather-long-label-here.sib.loops.test.
ns big.loops.test. 300 IN NS ns8.name-server-with-a-rather-long-label-here.sib.loops.test.
ns big.loops.test. 300 IN NS ns9.name-server-with-a-rather-long-label-here.example.net.

> big.loops.test A +edns
< NOERROR qr
ad ns1.name-server-with-a-rather-long-label-here.big.loops.test. 300 IN A 192.0.2.11
ad ns1.name-server-with-a-rather-long-label-here.big.loops.test. 300 IN AAAA 2001:db8::11
ad ns2.name-server-with-a-rather-long-label-here.big.loops.test. 300 IN A 192.0.2.12
ad ns2.name-server-with-a-rather-long-label-here.big.loops.test. 300 IN AAAA 2001:db8::12
ad ns3.name-server-with-a-rather-long-label-here.big.loops.test. 300 IN A 192.0.2.13
ad ns3.name-server-with-a-rather-long-label-here.big.loops.test. 300 IN AAAA 2001:db8::13
ad ns4.name-server-with-a-rather-long-label-here.big.loops.test. 300 IN A 192.0.2.14
ad ns4.name-server-with-a-rather-long-label-here.big.loops.test. 300 IN AAAA 2001:db8::14
ad ns5.name-server-with-a-rather-long-label-here.big.loops.test. 300 IN A 192.0.2.15
ad ns5.name-server-with-a-rather-long-label-here.big.loops.test. 300 IN AAAA 2001:db8::15
ad ns6.name-server-with-a-rather-long-label-here.big.loops.test. 300 IN A 192.0.2.16
ad ns6.name-server-with-a-rather-long-label-here.big.loops.test. 300 IN AAAA 2001:db8::16
ad ns7.name-server-with-a-rather-long-label-here.sib.loops.test. 300 IN A 192.0.2.17
ad ns7.name-server-with-a-rather-long-label-here.sib.loops.test. 300 IN AAAA 2001:db8::17
ad ns8.name-server-with-a-rather-long-label-here.sib.loops.test. 300 IN A 192.0.2.18
ad ns8.name-server-with-a-rather-long-label-here.sib.loops.test. 300 IN AAAA 2001:db8::18
ns big.loops.test. 300 IN NS ns1.name-server-with-a-rather-long-label-here.big.loops.test.
ns big.loops.test. 300 IN NS ns2.name-server-with-a-rather-long-label-here.big.loops.test.
ns big.loops.test. 300 IN NS ns3.name-server-with-a-rather-long-label-here.big.loops.test.
ns big.loops.test. 300 IN NS ns4.name-server-with-a-rather-long-label-here.big.loops.test.
ns big.loops.test. 300 IN NS ns5.name-server-with-a-rather-long-label-here.big.loops.test.
ns big.loops.test. 300 IN NS ns6.name-server-with-a-rather-long-label-here.big.loops.test.
ns big.loops.test. 300 IN NS ns7.name-server-with-a-rather-long-label-here.sib.loops.test.
ns big.loops.test. 300 IN NS ns8.name-server-with-a-rather-long-label-here.sib.loops.test.
ns big.loops.test. 300 IN NS ns9.name-server-with-a-rather-long-label-here.example.net.

# The glue below the cut fits; sibling glue is left out where it does
# not, without TC (RFC 9471 3.2).
> fit.loops.test A
< NOERROR qr
ad ns1.name-server-with-a-rather-long-label-here.fit.loops.test. 300 IN A 192.0.2.21
ad ns1.name-server-with-a-rather-long-label-here.fit.loops.test. 300 IN AAAA 2001:db8::21
ad ns10.name-server-with-a-rather-long-label-here.sib.loops.test. 300 IN A 192.0.2.30
ad ns11.name-server-with-a-rather-long-label-here.sib.loops.test. 300 IN A 192.0.2.31
ad ns12.name-server-with-a-rather-long-label-here.sib.loops.test. 300 IN A 192.0.2.32
ad ns13.name-server-with-a-rather-long-label-here.sib.loops.test. 300 IN A 192.0.2.33
ad ns13.name-server-with-a-rather-long-label-here.sib.loops.test. 300 IN AAAA 2001:db8::33
ad ns7.name-server-with-a-rather-long-label-here.sib.loops.test. 300 IN A 192.0.2.17
ad ns8.name-server-with-a-rather-long-label-here.sib.loops.test. 300 IN A 192.0.2.18
ns fit.loops.test. 300 IN NS ns1.name-server-with-a-rather-long-label-here.fit.loops.test.
ns fit.loops.test. 300 IN NS ns10.name-server-with-a-rather-long-label-here.sib.loops.test.
ns fit.loops.test. 300 IN NS ns11.name-server-with-a-rather-long-label-here.sib.loops.test.
ns fit.loops.test. 300 IN NS ns12.name-server-with-a-rather-long-label-here.sib.loops.test.
ns fit.loops.test. 300 IN NS ns13.name-server-with-a-rather-long-label-here.sib.loops.test.
ns fit.loops.test. 300 IN NS ns7.name-server-with-a-rather-long-label-here.sib.loops.test.
ns fit.loops.test. 300 IN NS ns8.name-server-with-a-rather-long-label-here.sib.loops.test.
ns fit.loops.test. 300 IN NS ns9.name-server-with-a-rather-long-label-here.example.net.
