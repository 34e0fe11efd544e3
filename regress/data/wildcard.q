# RFC 4592 2.2.1: the example zone and the answers the RFC gives.
zone example
$TTL 3600
example.                 SOA   ns.example.com. hostmaster.example.com. 1 7200 3600 1209600 3600
example.                 NS    ns.example.com.
example.                 NS    ns.example.net.
*.example.               TXT   "this is a wildcard"
*.example.               MX    10 host1.example.
sub.*.example.           TXT   "this is not a wildcard"
host1.example.           A     192.0.2.1
_ssh._tcp.host1.example. SRV   0 0 22 host1.example.
_ssh._tcp.host2.example. SRV   0 0 22 host1.example.
subdel.example.          NS    ns.example.com.
subdel.example.          NS    ns.example.net.
end
options
minimal-responses yes;
end

# Synthesized from *.example.
> host3.example MX
< NOERROR qr aa
an host3.example. 3600 IN MX 10 host1.example.

> host3.example A
< NOERROR qr aa
ns example. 3600 IN SOA ns.example.com. hostmaster.example.com. 1 7200 3600 1209600 3600

> foo.bar.example TXT
< NOERROR qr aa
an foo.bar.example. 3600 IN TXT "this is a wildcard"

# Existing names block the wildcard.
> host1.example MX
< NOERROR qr aa
ns example. 3600 IN SOA ns.example.com. hostmaster.example.com. 1 7200 3600 1209600 3600

> sub.*.example MX
< NOERROR qr aa
ns example. 3600 IN SOA ns.example.com. hostmaster.example.com. 1 7200 3600 1209600 3600

# The closest encloser _tcp.host1.example has no wildcard child.
> _telnet._tcp.host1.example SRV
< NXDOMAIN qr aa
ns example. 3600 IN SOA ns.example.com. hostmaster.example.com. 1 7200 3600 1209600 3600

> host.subdel.example A
< NOERROR qr
ns subdel.example. 3600 IN NS ns.example.com.
ns subdel.example. 3600 IN NS ns.example.net.

# "*" as an ordinary label under an existing *.example
> ghost.*.example MX
< NXDOMAIN qr aa
ns example. 3600 IN SOA ns.example.com. hostmaster.example.com. 1 7200 3600 1209600 3600

# Asking for the wildcard owner itself matches it as a name.
> *.example TXT
< NOERROR qr aa
an *.example. 3600 IN TXT "this is a wildcard"
