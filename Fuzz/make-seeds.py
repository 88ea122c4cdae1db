#!/usr/bin/env python3
"""Writes Fuzz/Corpus/: the AWS documentation examples and requests signed with its example key and time.

Usage: python3 Fuzz/make-seeds.py [REPO_ROOT]   (rewrites the seed files; commit what changes)
"""
import base64, hashlib, hmac, json, os, sys
root = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
C = os.path.join(root, "Fuzz", "Corpus")
def put(target, name, data):
    d = os.path.join(C, target); os.makedirs(d, exist_ok=True)
    if isinstance(data, str): data = data.encode()
    open(os.path.join(d, name), "wb").write(data)

AK = "AKIAIOSFODNN7EXAMPLE"; SK = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
TS = "20130524T000000Z"; DS = "20130524"; SCOPE = f"{DS}/us-east-1/s3/aws4_request"
EMPTY = hashlib.sha256(b"").hexdigest()
def h(k, m): return hmac.new(k, m.encode() if isinstance(m, str) else m, hashlib.sha256).digest()
KEY = h(h(h(h(("AWS4" + SK).encode(), DS), "us-east-1"), "s3"), "aws4_request")
def sig(sts): return hmac.new(KEY, sts.encode(), hashlib.sha256).hexdigest()
def sts(canonical): return f"AWS4-HMAC-SHA256\n{TS}\n{SCOPE}\n" + hashlib.sha256(canonical.encode()).hexdigest()

def signed_request(method, path, query, headers, payload_hash, body=b""):
    """headers: list of (name, value); signs all of them (host included)."""
    hs = sorted((n.lower(), " ".join(v.split())) for n, v in headers)
    names = ";".join(n for n, _ in hs)
    cq = "&".join(sorted(query.split("&"))) if query else ""
    canon = "\n".join([method, path, cq, "".join(f"{n}:{v}\n" for n, v in hs), names, payload_hash])
    s = sig(sts(canon))
    auth = f"AWS4-HMAC-SHA256 Credential={AK}/{SCOPE},SignedHeaders={names},Signature={s}"
    target = path + ("?" + query if query else "")
    head = f"{method} {target} HTTP/1.1\r\n" + "".join(f"{n}: {v}\r\n" for n, v in headers) + f"Authorization: {auth}\r\n\r\n"
    return head.encode() + body, s

def chunk_sig(prev, data):
    return sig(f"AWS4-HMAC-SHA256-PAYLOAD\n{TS}\n{SCOPE}\n{prev}\n{EMPTY}\n" + hashlib.sha256(data).hexdigest())
def trailer_sig(prev, lines):
    return sig(f"AWS4-HMAC-SHA256-TRAILER\n{TS}\n{SCOPE}\n{prev}\n" + hashlib.sha256(lines.encode()).hexdigest())
def signed_chunks(seed, chunks, trailer=None):
    out = b""; prev = seed
    for c in chunks + [b""]:
        prev = chunk_sig(prev, c)
        out += f"{len(c):x};chunk-signature={prev}\r\n".encode() + c + (b"\r\n" if c else b"")
    if trailer is not None:
        line = f"{trailer[0]}:{trailer[1]}"
        out += (line + "\r\n").encode()
        out += f"x-amz-trailer-signature:{trailer_sig(prev, line + chr(10))}\r\n".encode()
    return out + b"\r\n"
def unsigned_chunks(chunks, trailer=None):
    out = b""
    for c in chunks + [b""]:
        out += f"{len(c):x}\r\n".encode() + c + (b"\r\n" if c else b"")
    if trailer: out += f"{trailer[0]}:{trailer[1]}\r\n".encode()
    return out + b"\r\n"

# ---- authorization: AWS documentation examples, then requests signed here
host = ("Host", "examplebucket.s3.amazonaws.com")
put("authorization", "aws-doc-get-object-range",
    "GET /test.txt HTTP/1.1\r\nHost: examplebucket.s3.amazonaws.com\r\n"
    "Authorization: AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41\r\n"
    "Range: bytes=0-9\r\nx-amz-content-sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\r\nx-amz-date: 20130524T000000Z\r\n\r\n")
put("authorization", "aws-doc-put-object",
    "PUT /test$file.text HTTP/1.1\r\nHost: examplebucket.s3.amazonaws.com\r\nDate: Fri, 24 May 2013 00:00:00 GMT\r\n"
    "Authorization: AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class,Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd\r\n"
    "x-amz-date: 20130524T000000Z\r\nx-amz-storage-class: REDUCED_REDUNDANCY\r\n"
    "x-amz-content-sha256: 44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072\r\n\r\nWelcome to Amazon S3.")
put("authorization", "aws-doc-get-bucket-lifecycle",
    "GET /?lifecycle HTTP/1.1\r\nHost: examplebucket.s3.amazonaws.com\r\n"
    "Authorization: AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=host;x-amz-content-sha256;x-amz-date,Signature=fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543\r\n"
    "x-amz-date: 20130524T000000Z\r\nx-amz-content-sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\r\n\r\n")
put("authorization", "aws-doc-list-objects",
    "GET /?max-keys=2&prefix=J HTTP/1.1\r\nHost: examplebucket.s3.amazonaws.com\r\n"
    "Authorization: AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=host;x-amz-content-sha256;x-amz-date,Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7\r\n"
    "x-amz-date: 20130524T000000Z\r\nx-amz-content-sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\r\n\r\n")
put("authorization", "aws-doc-presigned-url",
    "GET /test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404 HTTP/1.1\r\n"
    "Host: examplebucket.s3.amazonaws.com\r\n\r\n")
put("authorization", "signature-v2-get-object",
    "GET /photos/puppy.jpg HTTP/1.1\r\nHost: awsexamplebucket1.s3.amazonaws.com\r\nDate: Fri, 24 May 2013 00:00:00 +0000\r\n"
    "Authorization: AWS AKIAIOSFODNN7EXAMPLE:bWq2s1WEIj+Ydj0vQ697zp+IXMU=\r\n\r\n")
put("authorization", "signature-v2-presigned",
    "GET /awsexamplebucket1/photos/puppy.jpg?AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&Expires=1369440000&Signature=NpgCjnDzrM%2BWFzoENXmpNDUsSn8%3D HTTP/1.1\r\nHost: s3.amazonaws.com\r\n\r\n")
put("authorization", "anonymous-get", "GET /examplebucket/photos/2006/February/sample.jpg HTTP/1.1\r\nHost: s3.amazonaws.com\r\n\r\n")
# Signed here, so that they authenticate and reach the body decoder.
payload = b"Welcome to Amazon S3."
req, _ = signed_request("PUT", "/examplebucket/my%20photo.jpg", "", [("Host", "s3.amazonaws.com"), ("x-amz-content-sha256", hashlib.sha256(payload).hexdigest()), ("x-amz-date", TS)], hashlib.sha256(payload).hexdigest(), payload)
put("authorization", "signed-put-path-style", req)
req, _ = signed_request("PUT", "/examplebucket/key", "", [("Host", "s3.amazonaws.com"), ("x-amz-content-sha256", "UNSIGNED-PAYLOAD"), ("x-amz-date", TS)], "UNSIGNED-PAYLOAD", payload)
put("authorization", "signed-put-unsigned-payload", req)
data = b"a" * 64
hdrs = [("Host", "s3.amazonaws.com"), ("x-amz-content-sha256", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"), ("Content-Encoding", "aws-chunked"), ("x-amz-decoded-content-length", str(len(data))), ("x-amz-date", TS)]
req, seed = signed_request("PUT", "/examplebucket/chunkObject.txt", "", hdrs, "STREAMING-AWS4-HMAC-SHA256-PAYLOAD")
put("authorization", "signed-streaming-put", req + signed_chunks(seed, [data]))
hdrs = [("Host", "s3.amazonaws.com"), ("x-amz-content-sha256", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"), ("Content-Encoding", "aws-chunked"), ("x-amz-decoded-content-length", str(len(data))), ("x-amz-trailer", "x-amz-checksum-crc32c"), ("x-amz-date", TS)]
req, seed = signed_request("PUT", "/examplebucket/chunkObject.txt", "", hdrs, "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER")
put("authorization", "signed-streaming-trailer-put", req + signed_chunks(seed, [data], ("x-amz-checksum-crc32c", "sOO8/Q==")))
hdrs = [("Host", "examplebucket.s3.amazonaws.com"), ("x-amz-content-sha256", "STREAMING-UNSIGNED-PAYLOAD-TRAILER"), ("Content-Encoding", "aws-chunked"), ("x-amz-decoded-content-length", str(len(data))), ("x-amz-trailer", "x-amz-checksum-crc32"), ("x-amz-date", TS)]
req, seed = signed_request("PUT", "/chunkObject.txt", "", hdrs, "STREAMING-UNSIGNED-PAYLOAD-TRAILER")
put("authorization", "signed-unsigned-trailer-put", req + unsigned_chunks([data], ("x-amz-checksum-crc32", "AAAAAA==")))
req, _ = signed_request("GET", "/examplebucket", "list-type=2&prefix=photos%2F&delimiter=%2F", [("Host", "s3.amazonaws.com"), ("x-amz-content-sha256", EMPTY), ("x-amz-date", TS)], EMPTY)
put("authorization", "signed-list-objects-v2", req)

# ---- query-string
for name, t in [
    ("presigned", "/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404\nexamplebucket.s3.amazonaws.com"),
    ("list-objects-v2", "/examplebucket?list-type=2&prefix=photos%2F2006%2F&delimiter=%2F&max-keys=50&continuation-token=1ueGcxLPRx1Tr%2FXYExHnhbYLgveDs2J%2FwmeXJ8CTd9lbjzF%2B&start-after=a+b"),
    ("get-object-response-headers", "/examplebucket/my%20photo.jpg?versionId=3HL4kqtJlcpXroDTDmJ%2Bqd9b&response-content-disposition=attachment%3B%20filename%3D%22a%2Bb.txt%22&response-cache-control=No-cache"),
    ("subresources", "/examplebucket/key?acl=&tagging&uploads&partNumber=1&uploadId=VXBsb2FkIElEIGZvciA2aWWpbmcncyBteS1tb3ZpZS5tMnRzIHVwbG9hZA"),
    ("virtual-hosted-delete", "/?delete\nexamplebucket.localhost:9000"),
    ("unicode-key", "/b%C3%BCcket/%E2%82%AC%20sign/..//./a~b_c-d.e?prefix=%E2%82%AC&marker=%2A"),
    ("signature-v2", "/awsexamplebucket1/photos/puppy.jpg?AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&Expires=1369440000&Signature=NpgCjnDzrM%2BWFzoENXmpNDUsSn8%3D"),
    ("list-versions", "/examplebucket?versions&key-marker=a&version-id-marker=null&max-keys=1000&encoding-type=url"),
]:
    put("query-string", name, t)

# ---- range-conditional: Range, If-Match, If-None-Match, If-Modified-Since, If-Unmodified-Since, copy range / partNumber / x-amz-date
for name, lines in [
    ("first-bytes", ["bytes=0-9", "", "", "", "", "bytes=0-9"]),
    ("suffix-and-etags", ["bytes=-500", "\"9b2cf535f27731c974343645a3985328\"", "\"other\", W/\"x\"", "", "", "bytes=5242880-10485759"]),
    ("open-ended-and-dates", ["bytes=9500-", "*", "", "Fri, 24 May 2013 00:00:00 GMT", "Sunday, 06-Nov-94 08:49:37 GMT", "10000"]),
    ("asctime-and-amz-date", ["bytes = 0 - 0 ", "", "*", "Sun Nov  6 08:49:37 1994", "Thu, 01 Jan 1970 00:00:00 GMT", "20130524T000000Z"]),
    ("iso8601", ["bytes=0-0,5-9", "9b2cf535f27731c974343645a3985328-2", "", "2013-05-24T00:00:00.000Z", "2013-05-24T00:00:00Z", "1"]),
]:
    put("range-conditional", name, "\n".join(lines) + "\n")

# ---- request-headers: header lines, an empty line, the body the checksum headers describe
def b64(data): return base64.b64encode(data).decode()
hello = b"hello world"
for name, headers, body in [
    ("grant-headers", ['x-amz-grant-read: uri="http://acs.amazonaws.com/groups/global/AllUsers"',
                       'x-amz-grant-full-control: id="79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"'], b""),
    ("canned-acl", ["x-amz-acl: public-read", "Content-Type: text/plain"], b""),
    ("crc32-empty-body", ["x-amz-checksum-crc32: AAAAAA=="], b""),
    ("md5-and-sha256", [f"Content-MD5: {b64(hashlib.md5(hello).digest())}",
                        f"x-amz-checksum-sha256: {b64(hashlib.sha256(hello).digest())}", "x-amz-sdk-checksum-algorithm: SHA256"], hello),
    ("trailer-declared", ["x-amz-trailer: x-amz-checksum-crc32c", "Content-Encoding: aws-chunked", "x-amz-decoded-content-length: 3"], b"abc"),
    ("user-metadata", ["Content-Type: image/jpeg", "Cache-Control: max-age=3600", "x-amz-meta-color: blue", "x-amz-meta-Photographer: alice",
                       "x-amz-meta-color: green", "x-amz-tagging: project=a&team=b", "x-amz-storage-class: STANDARD_IA",
                       "x-amz-server-side-encryption: AES256"], b""),
    ("continuation-token", [f"continuation-token: {b64('photos/2013/05/'.encode())}"], b""),
]:
    put("request-headers", name, ("\r\n".join(headers) + "\r\n\r\n").encode() + body)

# ---- aws-chunked: mode, piece size, decoded length / 64, body
seedsig = "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9"
d64 = b"a" * 64
put("aws-chunked", "signed", bytes([0, 0, 1]) + signed_chunks(seedsig, [d64]))
put("aws-chunked", "signed-in-pieces", bytes([0, 7, 0]) + signed_chunks(seedsig, [b"x" * 8192, b"y" * 100]))
put("aws-chunked", "signed-trailer", bytes([1, 3, 1]) + signed_chunks(seedsig, [d64], ("x-amz-checksum-crc32c", "sOO8/Q==")))
put("aws-chunked", "unsigned-trailer", bytes([2, 0, 1]) + unsigned_chunks([d64], ("x-amz-checksum-crc32", "AAAAAA==")))
put("aws-chunked", "unsigned-trailer-pieces", bytes([2, 1, 0]) + unsigned_chunks([b"c" * 8192, b"d" * 10], ("x-amz-checksum-crc32", "AAAAAA==")))
put("aws-chunked", "unsigned-no-trailer", bytes([3, 5, 0]) + unsigned_chunks([b"hello world"]))
put("aws-chunked", "unsigned-extension", bytes([3, 0, 0]) + b"5;ext=1\r\nhello\r\n0\r\n\r\n")
put("aws-chunked", "framed-signed", bytes([4, 0, 0]) + b"Welcome to Amazon S3.")
put("aws-chunked", "framed-signed-trailer", bytes([5, 2, 0]) + b"a" * 300)
put("aws-chunked", "framed-unsigned-trailer", bytes([6, 0, 1]) + b"")

# ---- post-form: Content-Type line, then the body
def form(fields, boundary="9431149156168", file=b"...file content...", filename="photo.jpg"):
    out = b""
    for n, v in fields:
        out += f"--{boundary}\r\nContent-Disposition: form-data; name=\"{n}\"\r\n\r\n{v}\r\n".encode()
    if file is not None:
        out += f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\nContent-Type: image/jpeg\r\n\r\n".encode() + file + b"\r\n"
    out += f"--{boundary}--\r\n".encode()
    return f"multipart/form-data; boundary={boundary}\n".encode() + out
policy = json.dumps({"expiration": "2013-05-25T12:00:00.000Z", "conditions": [
    {"bucket": "examplebucket"}, ["starts-with", "$key", "user/user1/"], {"acl": "public-read"},
    {"success_action_redirect": "http://examplebucket.s3.amazonaws.com/successful_upload.html"},
    ["starts-with", "$Content-Type", "image/"], {"x-amz-meta-uuid": "14365123651274"},
    {"x-amz-server-side-encryption": "AES256"}, ["starts-with", "$x-amz-meta-tag", ""],
    {"x-amz-credential": f"{AK}/{SCOPE}"}, {"x-amz-algorithm": "AWS4-HMAC-SHA256"}, {"x-amz-date": TS},
    ["content-length-range", 0, 1048576]]}).encode()
p64 = base64.b64encode(policy).decode()
psig = hmac.new(KEY, p64.encode(), hashlib.sha256).hexdigest()
fields = [("key", "user/user1/${filename}"), ("acl", "public-read"),
          ("success_action_redirect", "http://examplebucket.s3.amazonaws.com/successful_upload.html"),
          ("Content-Type", "image/jpeg"), ("x-amz-meta-uuid", "14365123651274"),
          ("x-amz-server-side-encryption", "AES256"), ("X-Amz-Credential", f"{AK}/{SCOPE}"),
          ("X-Amz-Algorithm", "AWS4-HMAC-SHA256"), ("X-Amz-Date", TS), ("x-amz-meta-tag", ""),
          ("Policy", p64), ("X-Amz-Signature", psig)]
put("post-form", "sigv4-browser-upload", form(fields))
v2policy = base64.b64encode(json.dumps({"expiration": "2013-05-25T00:00:00Z", "conditions": [{"bucket": "examplebucket"}, ["eq", "$key", "a.txt"]]}).encode()).decode()
v2sig = base64.b64encode(hmac.new(SK.encode(), v2policy.encode(), hashlib.sha1).digest()).decode()
put("post-form", "sigv2-upload", form([("key", "a.txt"), ("AWSAccessKeyId", AK), ("policy", v2policy), ("signature", v2sig)], boundary="----WebKitFormBoundary7MA4YWxkTrZu0gW"))
put("post-form", "anonymous-no-file", form([("key", "a.txt"), ("success_action_status", "201")], file=None, boundary="xyz"))
put("post-form", "quoted-boundary-preamble", b"multipart/form-data; boundary=\"a b\"; charset=utf-8\npreamble\r\n--a b\r\ncontent-disposition: form-data; name=key\r\n\r\nk\r\n--a b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"C:\\\\x\\\\y.txt\"\r\n\r\ndata\r\n--a b--\r\nepilogue")
put("post-form", "lf-only", b"multipart/form-data; boundary=b\n--b\nContent-Disposition: form-data; name=\"key\"\n\nk\n--b--\n")

# ---- XML bodies (AWS documentation examples)
X = '<?xml version="1.0" encoding="UTF-8"?>\n'
put("xml-delete", "aws-doc-multi-object-delete", X + '<Delete>\n  <Quiet>true</Quiet>\n  <Object>\n    <Key>Key</Key>\n    <VersionId>VersionId</VersionId>\n  </Object>\n  <Object>\n    <Key>Key</Key>\n  </Object>\n</Delete>')
put("xml-delete", "namespaced", '<Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Object><Key>sample1.txt</Key></Object><Object><Key>a&amp;b&#x20AC;&lt;</Key></Object></Delete>')
put("xml-delete", "cdata-and-comments", X + '<!-- c --><Delete><Object><Key><![CDATA[k<1>]]></Key></Object><Quiet>false</Quiet></Delete>')
put("xml-cors", "aws-doc-cors", X + '<CORSConfiguration>\n <CORSRule>\n   <AllowedOrigin>http://www.example.com</AllowedOrigin>\n   <AllowedMethod>PUT</AllowedMethod>\n   <AllowedMethod>POST</AllowedMethod>\n   <AllowedMethod>DELETE</AllowedMethod>\n   <AllowedHeader>*</AllowedHeader>\n  <MaxAgeSeconds>3000</MaxAgeSeconds>\n  <ExposeHeader>x-amz-server-side-encryption</ExposeHeader>\n  <ExposeHeader>x-amz-request-id</ExposeHeader>\n  <ExposeHeader>x-amz-id-2</ExposeHeader>\n </CORSRule>\n <CORSRule>\n   <AllowedOrigin>*</AllowedOrigin>\n   <AllowedMethod>GET</AllowedMethod>\n </CORSRule>\n</CORSConfiguration>')
put("xml-cors", "wildcards", '<CORSConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><CORSRule><ID>r1</ID><AllowedOrigin>https://*.example.com</AllowedOrigin><AllowedMethod>GET</AllowedMethod><AllowedMethod>HEAD</AllowedMethod><AllowedHeader>x-amz-*</AllowedHeader></CORSRule></CORSConfiguration>')
put("xml-cors", "empty-rule", '<CORSConfiguration><CORSRule></CORSRule></CORSConfiguration>')
put("xml-complete-multipart-upload", "aws-doc", X + '<CompleteMultipartUpload>\n  <Part>\n    <PartNumber>1</PartNumber>\n    <ETag>"a54357aff0632cce46d942af68356b38"</ETag>\n  </Part>\n  <Part>\n    <PartNumber>2</PartNumber>\n    <ETag>"0c78aef83f66abc1fa1e8477f296d394"</ETag>\n  </Part>\n  <Part>\n    <PartNumber>3</PartNumber>\n    <ETag>"acbd18db4cc2f85cedef654fccc4a4d8"</ETag>\n  </Part>\n</CompleteMultipartUpload>')
put("xml-complete-multipart-upload", "checksums", '<CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Part><ETag>&quot;a54357aff0632cce46d942af68356b38&quot;</ETag><ChecksumCRC32>AAAAAA==</ChecksumCRC32><PartNumber> 1 </PartNumber></Part><Part><PartNumber>10000</PartNumber><ETag>x</ETag><ChecksumSHA256>47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=</ChecksumSHA256></Part></CompleteMultipartUpload>')
put("xml-complete-multipart-upload", "out-of-order", '<CompleteMultipartUpload><Part><PartNumber>2</PartNumber><ETag>a</ETag></Part><Part><PartNumber>1</PartNumber><ETag>b</ETag></Part></CompleteMultipartUpload>')
put("xml-tagging", "aws-doc", X + '<Tagging>\n  <TagSet>\n    <Tag>\n      <Key>tag1</Key>\n      <Value>val1</Value>\n    </Tag>\n    <Tag>\n      <Key>tag2</Key>\n      <Value>val2</Value>\n    </Tag>\n  </TagSet>\n</Tagging>')
put("xml-tagging", "unicode-empty-value", '<Tagging xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><TagSet><Tag><Key>caf\u00e9 + =._:/@-</Key><Value></Value></Tag></TagSet></Tagging>')
put("xml-tagging", "header-form", 'Project=Blue&Team%20Name=a%2Bb&empty=')
owner = hashlib.sha256(b"s3emu-canonical-user:123456789012").hexdigest()
put("xml-access-control-policy", "aws-doc", X + f'<AccessControlPolicy xmlns="http://s3.amazonaws.com/doc/2006-03-01/">\n  <Owner>\n    <ID>{owner}</ID>\n    <DisplayName>CustomersName@amazon.com</DisplayName>\n  </Owner>\n  <AccessControlList>\n    <Grant>\n      <Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser">\n        <ID>{owner}</ID>\n        <DisplayName>CustomerName@amazon.com</DisplayName>\n      </Grantee>\n      <Permission>FULL_CONTROL</Permission>\n    </Grant>\n    <Grant>\n      <Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="Group">\n        <URI>http://acs.amazonaws.com/groups/global/AllUsers</URI>\n      </Grantee>\n      <Permission>READ</Permission>\n    </Grant>\n  </AccessControlList>\n</AccessControlPolicy>')
put("xml-access-control-policy", "groups-and-email", f'<AccessControlPolicy><AccessControlList><Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="Group"><URI>http://acs.amazonaws.com/groups/global/AuthenticatedUsers</URI></Grantee><Permission>WRITE_ACP</Permission></Grant><Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="AmazonCustomerByEmail"><EmailAddress>xyz@amazon.com</EmailAddress></Grantee><Permission>READ_ACP</Permission></Grant></AccessControlList></AccessControlPolicy>')
put("xml-access-control-policy", "owner-only", f'<AccessControlPolicy><Owner><ID>{owner}</ID></Owner><AccessControlList/></AccessControlPolicy>')
put("xml-create-bucket-configuration", "aws-doc", X + '<CreateBucketConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">\n  <LocationConstraint>eu-west-1</LocationConstraint>\n</CreateBucketConfiguration>')
put("xml-create-bucket-configuration", "empty-constraint", '<CreateBucketConfiguration><LocationConstraint></LocationConstraint></CreateBucketConfiguration>')
put("xml-create-bucket-configuration", "directory-bucket", '<CreateBucketConfiguration><Location><Name>usw2-az1</Name><Type>AvailabilityZone</Type></Location><Bucket><DataRedundancy>SingleAvailabilityZone</DataRedundancy><Type>Directory</Type></Bucket></CreateBucketConfiguration>')
put("xml-versioning-configuration", "aws-doc-enable", X + '<VersioningConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">\n  <Status>Enabled</Status>\n</VersioningConfiguration>')
put("xml-versioning-configuration", "suspend-with-mfa-delete", '<VersioningConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Status>Suspended</Status><MfaDelete>Disabled</MfaDelete></VersioningConfiguration>')
put("xml-versioning-configuration", "empty", '<VersioningConfiguration/>')

# ---- policy
put("policy", "bucket-policy-public-read", json.dumps({"Version": "2012-10-17", "Statement": [{"Sid": "PublicRead", "Effect": "Allow", "Principal": "*", "Action": ["s3:GetObject", "s3:GetObjectVersion"], "Resource": ["arn:aws:s3:::examplebucket/*"]}]}, indent=2))
put("policy", "bucket-policy-conditions", json.dumps({"Version": "2012-10-17", "Id": "S3PolicyId1", "Statement": [
    {"Sid": "IPAllow", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": ["arn:aws:s3:::examplebucket", "arn:aws:s3:::examplebucket/*"],
     "Condition": {"NotIpAddress": {"aws:SourceIp": ["54.240.143.0/24", "2001:DB8:1234:5678::/64"]}, "Bool": {"aws:SecureTransport": "false"}}},
    {"Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::111122223333:root", "111122223333"]}, "NotAction": "s3:DeleteObject",
     "Resource": "arn:aws:s3:::examplebucket/${aws:username}/*",
     "Condition": {"StringLike": {"s3:prefix": ["home/", "home/*"]}, "DateGreaterThan": {"aws:CurrentTime": "2013-01-01T00:00:00Z"},
                   "NumericLessThanEquals": {"s3:max-keys": "10"}, "ForAnyValue:StringEquals": {"s3:RequestObjectTagKeys": ["a", "b"]},
                   "StringEqualsIfExists": {"s3:x-amz-server-side-encryption": "AES256"}, "Null": {"aws:TokenIssueTime": "true"}}}]}))
put("policy", "identity-policy", json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:ListBucket"], "Resource": "arn:aws:s3:::examplebucket", "Condition": {"StringLike": {"s3:prefix": ["${aws:username}/*"]}}}, {"Effect": "Allow", "Action": "s3:*Object*", "NotResource": "arn:aws:s3:::secret/*"}]}))
put("policy", "post-policy", policy)
put("policy", "post-policy-v2", json.dumps({"expiration": "2013-05-25T00:00:00Z", "conditions": [{"bucket": "examplebucket"}, ["eq", "$key", "user/alice/photo.jpg"], ["starts-with", "$Content-Type", ""], ["content-length-range", 1, 10], {"acl": "public-read"}]}))
put("policy", "old-version", '{"Version":"2008-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::examplebucket/a\\u0020b*"}}')

# ---- config
cfg = open(os.path.join(root, "Tests/S3EmulatorTests/ConfigurationFileTests.swift")).read()
start = cfg.index('static let completeFile = #"""') + len('static let completeFile = #"""')
complete = cfg[start:cfg.index('"""#', start)]
put("config", "complete", "\n".join(l[8:] if l.startswith("        ") else l for l in complete.strip("\n").split("\n")))
put("config", "minimal", '{"buckets": [{"name": "my-bucket"}]}')
put("config", "users", json.dumps({"accountId": "123456789012", "rootCredentials": {"accessKeyId": "AKIAIOSFODNN7EXAMPLE", "secretAccessKey": SK}, "users": [{"name": "alice", "accessKeys": [{"accessKeyId": "AKIAALICE00000000001", "secretAccessKey": "s"}], "policies": {"p": {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "s3:*", "Resource": "*"}]}}}]}, indent=1))
put("config", "empty-object", "{}\n")
print("ok")
