"""Writes vectors.json: requests signed by botocore, the library of the AWS CLI
and boto3, for sigv4's interoperability test (TestBotocore).

    python3 gen.py > vectors.json

Each vector is what botocore would send: method, URL, headers and body, and
the time it was signed at. Nothing is sent anywhere: a before-send hook
captures each request and stops it.
"""
import datetime
import json
from unittest import mock

import botocore
import botocore.auth
import botocore.session
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

NOW = datetime.datetime(2026, 11, 26, 23, 0, 0)
KEY = "AKIDEXAMPLE"
SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
TOKEN = "IQoJb3JpZ2luX2VjEXAMPLE//////////wEaCXVzLWVhc3QtMSJHMEUCIQ+token=="


class Captured(Exception):
    pass


vectors = []


def scrub(name, value):
    # The user agent names the generating machine; it is never signed.
    if name.lower() == "user-agent" and value.startswith("Botocore/"):
        return "Botocore/" + botocore.__version__
    return value


def add(name, method, url, headers, body, presigned=False):
    if isinstance(body, str):
        body = body.encode()
    vectors.append({
        "name": name,
        "method": method,
        "url": url,
        "headers": [[k, scrub(k, v.decode() if isinstance(v, bytes) else v)] for k, v in headers.items()],
        "body": (body or b"").decode(),
        "presigned": presigned,
        "now": NOW.strftime("%Y-%m-%dT%H:%M:%SZ"),
    })


def client(service, region, token):
    session = botocore.session.get_session()
    session.set_credentials(KEY, SECRET, token)
    c = session.create_client(service, region_name=region)

    def capture(request, **kwargs):
        captured.append(request)
        raise Captured()

    c.meta.events.register("before-send", capture)
    return c


captured = []


def call(name, c, op, **params):
    captured.clear()
    try:
        getattr(c, op)(**params)
    except Captured:
        pass
    r = captured[0]
    add(name, r.method, r.url, r.headers, r.body)


with mock.patch.object(botocore.auth, "get_current_datetime", return_value=NOW):
    sts = client("sts", "us-east-1", TOKEN)
    call("sts GetCallerIdentity, session token", sts, "get_caller_identity")
    call("sts AssumeRole, policy and tags", sts, "assume_role",
         RoleArn="arn:aws:iam::123456789012:role/demo",
         RoleSessionName="s+p=a,c.e@-_",
         Policy='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}',
         Tags=[{"Key": "team name", "Value": "caf\u00e9 / ops * ~"}],
         DurationSeconds=900)
    sts_regional = client("sts", "eu-west-3", None)
    call("sts GetCallerIdentity, regional, long-term key", sts_regional, "get_caller_identity")

    iam = client("iam", "us-east-1", None)
    call("iam ListUsers, path prefix", iam, "list_users", PathPrefix="/division abc/sub+division/", MaxItems=10)
    call("iam PutUserPolicy, unicode document", iam, "put_user_policy", UserName="alice+bob@example.com",
         PolicyName="p\u00f6licy", PolicyDocument='{"Statement":[{"Sid":"\u00e9t\u00e9","Effect":"Deny","Action":"*","Resource":"*"}]}')

    # Presigned URLs. botocore signs them for the operation's method (POST
    # for the Query protocol) unless told otherwise; the AWS CLI's
    # "eks get-token" asks for GET and signs an x-k8s-aws-id header.
    for token, region in ((TOKEN, "us-east-1"), (None, "eu-west-3")):
        c = client("sts", region, token)
        url = c.generate_presigned_url("get_caller_identity", ExpiresIn=60, HttpMethod="GET")
        add("sts presigned GET GetCallerIdentity, %s" % ("session token" if token else "long-term key"),
            "GET", url, {}, b"", presigned=True)
    url = sts.generate_presigned_url("get_caller_identity", ExpiresIn=900)
    add("sts presigned POST GetCallerIdentity", "POST", url, {}, b"", presigned=True)

    eks = client("sts", "us-east-1", TOKEN)

    def k8s_header(request, **kwargs):
        request.headers["x-k8s-aws-id"] = "my-cluster"

    eks.meta.events.register("before-sign.sts.GetCallerIdentity", k8s_header)
    url = eks.generate_presigned_url("get_caller_identity", ExpiresIn=60, HttpMethod="GET")
    add("eks get-token style, signed x-k8s-aws-id", "GET", url, {"x-k8s-aws-id": "my-cluster"}, b"", presigned=True)

    url = iam.generate_presigned_url("list_users", Params={"PathPrefix": "/a b/"}, ExpiresIn=604800, HttpMethod="GET")
    add("iam presigned ListUsers, a week", "GET", url, {}, b"", presigned=True)

    # Hand-made requests: a path that is percent-encoded and has dot
    # segments, repeated and spaced header values, a GET with a query.
    creds = Credentials(KEY, SECRET)
    req = AWSRequest(method="GET", url="https://iam.amazonaws.com/a%20b/./c//d/../%E1%88%B4",
                     params={"Action": "ListRoles", "Version": "2010-05-08", "Marker": "a b+c/d~e*f"},
                     headers={"X-Amz-Meta-Note": "  two   spaces  ", "User-Agent": "not signed"})
    SigV4Auth(creds, "iam", "us-east-1").add_auth(req)
    p = req.prepare()
    add("hand-made GET, encoded path with dot segments", p.method, p.url, p.headers, p.body)

print(json.dumps({"botocore": botocore.__version__, "vectors": vectors}, indent=1, ensure_ascii=False))
