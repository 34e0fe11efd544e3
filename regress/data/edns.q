# RFC 6891: OPT echoed with our buffer size, BADVERS, truncation at the
# client's buffer size, NSID (RFC 5001), and the CHAOS identity zones.
zone example.com
$TTL 3600
@	SOA	ns1 hostmaster 1 7200 3600 1209600 300
	NS	ns1
ns1	A	192.0.2.53
$GENERATE 1-60 many A 10.0.0.$
end
options
server-id "unit-ns";
version "unit-version";
minimal-responses yes;
end

# 60 A records need 972 octets: too many for 512, fine for 1232.
> many.example.com A
< NOERROR qr aa tc

> many.example.com A +edns=1232
< NOERROR qr aa
an many.example.com. 3600 IN A 10.0.0.1
an many.example.com. 3600 IN A 10.0.0.2
an many.example.com. 3600 IN A 10.0.0.3
an many.example.com. 3600 IN A 10.0.0.4
an many.example.com. 3600 IN A 10.0.0.5
an many.example.com. 3600 IN A 10.0.0.6
an many.example.com. 3600 IN A 10.0.0.7
an many.example.com. 3600 IN A 10.0.0.8
an many.example.com. 3600 IN A 10.0.0.9
an many.example.com. 3600 IN A 10.0.0.10
an many.example.com. 3600 IN A 10.0.0.11
an many.example.com. 3600 IN A 10.0.0.12
an many.example.com. 3600 IN A 10.0.0.13
an many.example.com. 3600 IN A 10.0.0.14
an many.example.com. 3600 IN A 10.0.0.15
an many.example.com. 3600 IN A 10.0.0.16
an many.example.com. 3600 IN A 10.0.0.17
an many.example.com. 3600 IN A 10.0.0.18
an many.example.com. 3600 IN A 10.0.0.19
an many.example.com. 3600 IN A 10.0.0.20
an many.example.com. 3600 IN A 10.0.0.21
an many.example.com. 3600 IN A 10.0.0.22
an many.example.com. 3600 IN A 10.0.0.23
an many.example.com. 3600 IN A 10.0.0.24
an many.example.com. 3600 IN A 10.0.0.25
an many.example.com. 3600 IN A 10.0.0.26
an many.example.com. 3600 IN A 10.0.0.27
an many.example.com. 3600 IN A 10.0.0.28
an many.example.com. 3600 IN A 10.0.0.29
an many.example.com. 3600 IN A 10.0.0.30
an many.example.com. 3600 IN A 10.0.0.31
an many.example.com. 3600 IN A 10.0.0.32
an many.example.com. 3600 IN A 10.0.0.33
an many.example.com. 3600 IN A 10.0.0.34
an many.example.com. 3600 IN A 10.0.0.35
an many.example.com. 3600 IN A 10.0.0.36
an many.example.com. 3600 IN A 10.0.0.37
an many.example.com. 3600 IN A 10.0.0.38
an many.example.com. 3600 IN A 10.0.0.39
an many.example.com. 3600 IN A 10.0.0.40
an many.example.com. 3600 IN A 10.0.0.41
an many.example.com. 3600 IN A 10.0.0.42
an many.example.com. 3600 IN A 10.0.0.43
an many.example.com. 3600 IN A 10.0.0.44
an many.example.com. 3600 IN A 10.0.0.45
an many.example.com. 3600 IN A 10.0.0.46
an many.example.com. 3600 IN A 10.0.0.47
an many.example.com. 3600 IN A 10.0.0.48
an many.example.com. 3600 IN A 10.0.0.49
an many.example.com. 3600 IN A 10.0.0.50
an many.example.com. 3600 IN A 10.0.0.51
an many.example.com. 3600 IN A 10.0.0.52
an many.example.com. 3600 IN A 10.0.0.53
an many.example.com. 3600 IN A 10.0.0.54
an many.example.com. 3600 IN A 10.0.0.55
an many.example.com. 3600 IN A 10.0.0.56
an many.example.com. 3600 IN A 10.0.0.57
an many.example.com. 3600 IN A 10.0.0.58
an many.example.com. 3600 IN A 10.0.0.59
an many.example.com. 3600 IN A 10.0.0.60

> many.example.com A +edns=512
< NOERROR qr aa tc

> many.example.com A +tcp
< NOERROR qr aa
an many.example.com. 3600 IN A 10.0.0.1
an many.example.com. 3600 IN A 10.0.0.2
an many.example.com. 3600 IN A 10.0.0.3
an many.example.com. 3600 IN A 10.0.0.4
an many.example.com. 3600 IN A 10.0.0.5
an many.example.com. 3600 IN A 10.0.0.6
an many.example.com. 3600 IN A 10.0.0.7
an many.example.com. 3600 IN A 10.0.0.8
an many.example.com. 3600 IN A 10.0.0.9
an many.example.com. 3600 IN A 10.0.0.10
an many.example.com. 3600 IN A 10.0.0.11
an many.example.com. 3600 IN A 10.0.0.12
an many.example.com. 3600 IN A 10.0.0.13
an many.example.com. 3600 IN A 10.0.0.14
an many.example.com. 3600 IN A 10.0.0.15
an many.example.com. 3600 IN A 10.0.0.16
an many.example.com. 3600 IN A 10.0.0.17
an many.example.com. 3600 IN A 10.0.0.18
an many.example.com. 3600 IN A 10.0.0.19
an many.example.com. 3600 IN A 10.0.0.20
an many.example.com. 3600 IN A 10.0.0.21
an many.example.com. 3600 IN A 10.0.0.22
an many.example.com. 3600 IN A 10.0.0.23
an many.example.com. 3600 IN A 10.0.0.24
an many.example.com. 3600 IN A 10.0.0.25
an many.example.com. 3600 IN A 10.0.0.26
an many.example.com. 3600 IN A 10.0.0.27
an many.example.com. 3600 IN A 10.0.0.28
an many.example.com. 3600 IN A 10.0.0.29
an many.example.com. 3600 IN A 10.0.0.30
an many.example.com. 3600 IN A 10.0.0.31
an many.example.com. 3600 IN A 10.0.0.32
an many.example.com. 3600 IN A 10.0.0.33
an many.example.com. 3600 IN A 10.0.0.34
an many.example.com. 3600 IN A 10.0.0.35
an many.example.com. 3600 IN A 10.0.0.36
an many.example.com. 3600 IN A 10.0.0.37
an many.example.com. 3600 IN A 10.0.0.38
an many.example.com. 3600 IN A 10.0.0.39
an many.example.com. 3600 IN A 10.0.0.40
an many.example.com. 3600 IN A 10.0.0.41
an many.example.com. 3600 IN A 10.0.0.42
an many.example.com. 3600 IN A 10.0.0.43
an many.example.com. 3600 IN A 10.0.0.44
an many.example.com. 3600 IN A 10.0.0.45
an many.example.com. 3600 IN A 10.0.0.46
an many.example.com. 3600 IN A 10.0.0.47
an many.example.com. 3600 IN A 10.0.0.48
an many.example.com. 3600 IN A 10.0.0.49
an many.example.com. 3600 IN A 10.0.0.50
an many.example.com. 3600 IN A 10.0.0.51
an many.example.com. 3600 IN A 10.0.0.52
an many.example.com. 3600 IN A 10.0.0.53
an many.example.com. 3600 IN A 10.0.0.54
an many.example.com. 3600 IN A 10.0.0.55
an many.example.com. 3600 IN A 10.0.0.56
an many.example.com. 3600 IN A 10.0.0.57
an many.example.com. 3600 IN A 10.0.0.58
an many.example.com. 3600 IN A 10.0.0.59
an many.example.com. 3600 IN A 10.0.0.60

> version.bind TXT CH
< NOERROR qr aa
an version.bind. 0 CH TXT "unit-version"

> id.server TXT CH +rd
< NOERROR qr aa rd
an id.server. 0 CH TXT "unit-ns"

> x.version.bind TXT CH
< NXDOMAIN qr aa
ns version.bind. 86400 CH SOA version.bind. hostmaster.version.bind. 0 28800 7200 604800 86400

> example.com TXT CH
< REFUSED qr
