# SPDX-License-Identifier: ISC
"""The ISC command channel (rndc's protocol) written independently of
apex, for tests that send what rndc would not: a stale time, a wrong
nonce, a replay, a message signed with the wrong algorithm. Tables are
dicts (insertion order kept), binary values bytes or str."""
import base64
import hashlib
import hmac
import socket
import struct
import time

ALGS = {'hmac-md5': (157, hashlib.md5), 'hmac-sha1': (161, hashlib.sha1),
        'hmac-sha224': (162, hashlib.sha224),
        'hmac-sha256': (163, hashlib.sha256),
        'hmac-sha384': (164, hashlib.sha384),
        'hmac-sha512': (165, hashlib.sha512)}


def _value(v):
    if isinstance(v, dict):
        body = _table(v)
        return b'\x02' + struct.pack('!I', len(body)) + body
    if isinstance(v, list):
        body = b''.join(_value(e) for e in v)
        return b'\x03' + struct.pack('!I', len(body)) + body
    if isinstance(v, str):
        v = v.encode()
    return b'\x01' + struct.pack('!I', len(v)) + v


def _table(t):
    out = b''
    for k, v in t.items():
        kb = k.encode()
        out += bytes([len(kb)]) + kb + _value(v)
    return out


def _mac(alg, secret, data):
    num, h = ALGS[alg]
    b64 = base64.b64encode(hmac.new(secret, data, h).digest())
    if alg == 'hmac-md5':
        return b64[:22], 'hmd5'
    return bytes([num]) + b64.ljust(88, b'\0'), 'hsha'


def encode(msg, alg, secret, mac_alg=None):
    """The message with its length prefix; mac_alg signs as another
    algorithm claims to (a test of the check)."""
    body = _table(msg)
    field, key = _mac(alg, secret, body)
    if mac_alg is not None:
        field = bytes([ALGS[mac_alg][0]]) + field[1:]
    out = struct.pack('!I', 1) + _table({'_auth': {key: field}}) + body
    return struct.pack('!I', len(out)) + out


def _parse_table(b):
    out, pos = {}, 0
    while pos < len(b):
        n = b[pos]
        k = b[pos + 1:pos + 1 + n].decode()
        pos += 1 + n
        t, ln = b[pos], struct.unpack('!I', b[pos + 1:pos + 5])[0]
        v = b[pos + 5:pos + 5 + ln]
        pos += 5 + ln
        out[k] = _parse_table(v) if t == 2 else v
    return out


def decode(data):
    """A message without its length prefix, as a dict (not verified)."""
    assert struct.unpack('!I', data[:4])[0] == 1
    return _parse_table(data[4:])


def request(ser, command, nonce=None, now=None, exp=60):
    now = int(time.time()) if now is None else now
    ctrl = {'_ser': str(ser), '_tim': str(now), '_exp': str(now + exp)}
    if nonce is not None:
        ctrl['_nonce'] = str(nonce)
    return {'_ctrl': ctrl, '_data': {'type': command}}


class Conn:
    """One connection to a control channel."""

    def __init__(self, port, addr='127.0.0.1', source=None):
        self.s = socket.create_connection((addr, port), timeout=5,
                                          source_address=source)

    def send(self, raw):
        self.s.sendall(raw)

    def recv(self):
        """A reply as a dict, or None if the server closed."""
        head = b''
        while len(head) < 4:
            c = self.s.recv(4 - len(head))
            if not c:
                return None
            head += c
        n = struct.unpack('!I', head)[0]
        data = b''
        while len(data) < n:
            c = self.s.recv(n - len(data))
            if not c:
                return None
            data += c
        return decode(data)

    def close(self):
        self.s.close()
