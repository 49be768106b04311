#!/usr/bin/env python3
"""Checks docs/openapi.yaml against a running runtime's real answers.

First the document itself: an OpenAPI 3.1 document whose every $ref resolves and whose
every schema is a valid JSON Schema (2020-12, OpenAPI 3.1's dialect). Then a headless
runtime on a loopback port is called on every documented route, for its success and its
documented errors, and each answer's status must be one the document lists for that
operation, with a JSON body its schema accepts. Every operation and status the document
lists must have been seen, so the document cannot promise what the server never says.

    check_openapi.py QUEUEDECK_BINARY OPENAPI_YAML
"""
import copy
import json
import os
import re
import struct
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import zlib

import jsonschema
import yaml

METHODS = ("get", "put", "post", "delete", "patch")
CF = "/client/v4/accounts/local/queues"


def fail(text):
    sys.exit("openapi: " + text)


def resolve_refs(node, doc, seen=()):
    """The schema with every local $ref replaced by what it points to (the document's
    schemas are not recursive), so any jsonschema version validates it alike."""
    if isinstance(node, list):
        return [resolve_refs(n, doc, seen) for n in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        ref = node["$ref"]
        if not ref.startswith("#/") or ref in seen:
            fail(f"unsupported or recursive $ref {ref}")
        target = doc
        for part in ref[2:].split("/"):
            if not isinstance(target, dict) or part not in target:
                fail(f"$ref {ref} does not resolve")
            target = target[part]
        rest = {k: v for k, v in node.items() if k != "$ref"}
        resolved = resolve_refs(copy.deepcopy(target), doc, seen + (ref,))
        return {**resolved, **resolve_refs(rest, doc, seen)} if rest else resolved
    return {k: resolve_refs(v, doc, seen) for k, v in node.items()}


def check_document(doc):
    if not str(doc.get("openapi", "")).startswith("3.1"):
        fail("the document must declare openapi: 3.1.x")
    for key in ("info", "paths"):
        if key not in doc:
            fail(f"the document has no {key}")
    if not {"title", "version"} <= set(doc["info"]):
        fail("info needs a title and a version")
    operations = {}
    for path, item in doc["paths"].items():
        if not path.startswith("/"):
            fail(f"path {path} must start with /")
        params = set(re.findall(r"\{(\w+)\}", path))
        for method in METHODS:
            op = item.get(method)
            if op is None:
                continue
            declared = {p["name"] for p in resolve_refs(item.get("parameters", []) + op.get("parameters", []), doc)
                        if p.get("in") == "path"}
            if declared != params:
                fail(f"{method.upper()} {path}: path parameters {sorted(declared)} != {sorted(params)}")
            if "operationId" not in op or not op.get("responses"):
                fail(f"{method.upper()} {path}: needs an operationId and responses")
            for status, response in op["responses"].items():
                if not re.fullmatch(r"[1-5]\d\d", str(status)):
                    fail(f"{method.upper()} {path}: response {status} is not an HTTP status")
                response = resolve_refs(response, doc)
                if "description" not in response:
                    fail(f"{method.upper()} {path} {status}: needs a description")
                for media in response.get("content", {}).values():
                    if "schema" in media:
                        jsonschema.Draft202012Validator.check_schema(resolve_refs(media["schema"], doc))
            operations[(path, method)] = op
    for name, schema in doc.get("components", {}).get("schemas", {}).items():
        jsonschema.Draft202012Validator.check_schema(resolve_refs(schema, doc))
    return operations


def template_regex(path):
    return re.compile("^" + re.sub(r"\\\{\w+\\\}", "[^/]+", re.escape(path)) + "$")


class Checker:
    def __init__(self, doc, endpoint):
        self.doc = doc
        self.endpoint = endpoint.rstrip("/")
        self.templates = [(template_regex(p), p) for p in doc["paths"]]
        self.seen = set()
        self.failures = []

    def operation(self, method, path):
        raw = path.split("?", 1)[0]
        # A literal path (/api/messages) wins over a template (/api/messages/{id}).
        matches = [p for rx, p in self.templates if rx.match(raw)]
        matches.sort(key=lambda p: p.count("{"))
        for p in matches:
            op = self.doc["paths"][p].get(method.lower())
            if op is not None:
                return p, op
        return None, None

    def call(self, method, path, body=None, expect=200, raw=None, content_type="application/json"):
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        request = urllib.request.Request(self.endpoint + path, data=data, method=method,
                                         headers={"Content-Type": content_type} if data is not None else {})
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                status, headers, payload = answer.status, answer.headers, answer.read()
        except urllib.error.HTTPError as e:
            status, headers, payload = e.code, e.headers, e.read()
        where = f"{method} {path} -> {status}"
        template, op = self.operation(method, path)
        if op is None:
            self.failures.append(f"{method} {path}: not in the document")
            return None
        self.seen.add((template, method.lower(), str(status)))
        if status != expect:
            self.failures.append(f"{where}: the test expected {expect}: {payload[:300]!r}")
        response = op["responses"].get(str(status)) or op["responses"].get(status)
        if response is None:
            self.failures.append(f"{where}: status not documented for {method} {template}")
            return None
        response = resolve_refs(response, self.doc)
        content = response.get("content", {})
        got_type = (headers.get("Content-Type") or "").split(";")[0].strip()
        if not content:
            if payload:
                self.failures.append(f"{where}: a body the document does not describe")
            return None
        if got_type not in content:
            self.failures.append(f"{where}: Content-Type {got_type!r}, documented {sorted(content)}")
            return None
        if got_type != "application/json":
            return payload
        try:
            value = json.loads(payload)
        except ValueError as e:
            self.failures.append(f"{where}: not JSON ({e})")
            return None
        schema = content[got_type].get("schema")
        if schema is not None:
            errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(value), key=str)
            for e in errors[:5]:
                at = "/".join(str(p) for p in e.absolute_path)
                self.failures.append(f"{where}: at /{at}: {e.message}")
        return value

    def unexercised(self, operations):
        missing = []
        for (path, method), op in operations.items():
            for status in op["responses"]:
                if (path, method, str(status)) not in self.seen:
                    missing.append(f"{method.upper()} {path} {status}")
        return missing


def png_bytes(width=4, height=3):
    raw = b"".join(b"\x00" + bytes([200, 40, 40] * width) for _ in range(height))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def wait_for(what, predicate, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)  # polling a server in another process: there is no signal to wait on
    fail(f"timed out waiting for {what}")


def exercise(c):
    """Every documented route, with its success and its documented errors."""
    c.call("GET", "/healthz")
    # The producer.
    job = c.call("POST", "/", {"imageUrl": "http://127.0.0.1:1/none.png", "userId": "openapi"}, expect=202)
    c.call("POST", "/", {"userId": "openapi"}, expect=400)
    c.call("GET", "/", expect=405)
    job_id = job["id"] if job else "0" * 32
    second = c.call("POST", "/", {"imageUrl": "http://127.0.0.1:1/two.png", "userId": "openapi"}, expect=202)
    second_id = second["id"] if second else "0" * 32

    # A real image, so there is a result and a batch to read.
    request = urllib.request.Request(c.endpoint + "/uploads", data=png_bytes(), method="POST",
                                     headers={"Content-Type": "image/png"})
    with urllib.request.urlopen(request, timeout=30) as answer:
        assert answer.status == 202, answer.status

    # The Cloudflare-compatible API.
    c.call("GET", CF)
    queue = c.call("POST", CF, {"queue_name": "openapi"})
    c.call("POST", CF, {"queue_name": "openapi"}, expect=409)
    c.call("POST", CF, {}, expect=400)
    c.call("DELETE", CF, expect=405)
    c.call("GET", CF + "/openapi")
    c.call("GET", CF + "/no-such-queue", expect=404)
    c.call("PATCH", CF + "/openapi", {"settings": {"delivery_delay": 0}})
    c.call("PATCH", CF + "/openapi", {"settings": {"delivery_delay": -1}}, expect=400)
    c.call("PUT", CF + "/openapi", {"queue_name": "openapi", "settings": {}})
    if queue:
        c.call("GET", CF + "/" + queue["result"]["queue_id"])
    c.call("POST", CF + "/openapi/messages", {"body": {"n": 1}})
    c.call("POST", CF + "/openapi/messages", {"content_type": "text", "body": 5}, expect=400)
    c.call("POST", CF + "/no-such-queue/messages", {"body": 1}, expect=404)
    c.call("POST", CF + "/openapi/messages/batch",
           {"messages": [{"body": "two", "content_type": "text"}, {"body": {"n": 3}}]})
    c.call("POST", CF + "/openapi/messages/batch", {"messages": []}, expect=400)
    c.call("POST", CF + "/openapi/messages/peek", {"batch_size": 10})
    c.call("POST", CF + "/openapi/messages/peek", {"batch_size": 0}, expect=400)
    c.call("POST", CF + "/openapi/consumers", {"type": "carrier_pigeon"}, expect=400)
    consumer = c.call("POST", CF + "/openapi/consumers", {"type": "http_pull"})
    c.call("POST", CF + "/openapi/consumers", {"type": "http_pull"}, expect=409)
    c.call("GET", CF + "/openapi/consumers")
    consumer_id = consumer["result"]["consumer_id"] if consumer else "0" * 32
    c.call("GET", CF + "/openapi/consumers/" + consumer_id)
    c.call("GET", CF + "/openapi/consumers/" + "f" * 32, expect=404)
    c.call("PUT", CF + "/openapi/consumers/" + consumer_id,
           {"type": "http_pull", "settings": {"batch_size": 10, "visibility_timeout_ms": 30000}})
    pulled = c.call("POST", CF + "/openapi/messages/pull", {"batch_size": 2, "visibility_timeout_ms": 60000})
    c.call("POST", CF + "/openapi/messages/pull", {"batch_size": 0}, expect=400)
    leases = [m["lease_id"] for m in pulled["result"]["messages"]] if pulled else []
    c.call("POST", CF + "/openapi/messages/ack",
           {"acks": [{"lease_id": lease} for lease in leases[:1]],
            "retries": [{"lease_id": lease, "delay_seconds": 0} for lease in leases[1:]]})
    c.call("POST", CF + "/openapi/messages/ack", {"acks": "all"}, expect=400)
    c.call("GET", CF + "/openapi/metrics")
    peeked = c.call("POST", CF + "/openapi/messages/peek", {"batch_size": 1})
    refs = [m["ref"] for m in peeked["result"]["messages"]] if peeked else []
    c.call("POST", CF + "/openapi/messages/purge", {"refs": [{"ref": r} for r in refs]})
    c.call("POST", CF + "/openapi/messages/purge", {"refs": 1}, expect=400)
    c.call("GET", CF + "/openapi/purge")
    c.call("POST", CF + "/openapi/purge", {"delete_messages_permanently": True})
    c.call("POST", CF + "/openapi/purge", {}, expect=400)
    c.call("DELETE", CF + "/openapi/consumers/" + consumer_id)
    c.call("DELETE", CF + "/openapi")
    c.call("DELETE", CF + "/openapi", expect=404)

    # QueueDeck's own API, once the image job has failed and the upload has a result.
    wait_for("the job to fail", lambda: (c.call("GET", f"/api/messages/{job_id}") or {}).get("state")
             in ("failed", "delayed", "dead_lettered"))
    c.call("GET", "/api/queues")
    c.call("GET", "/api/messages?queue=images&limit=10")
    c.call("GET", "/api/messages?state=sleeping", expect=400)
    c.call("GET", "/api/messages?queue=no-such-queue", expect=404)
    c.call("GET", "/api/messages/" + "0" * 32, expect=404)
    batches = wait_for("a batch", lambda: (c.call("GET", "/api/batches?queue=images") or {}).get("batches"))
    c.call("GET", "/api/batches?limit=0", expect=400)
    c.call("GET", "/api/batches?queue=no-such-queue", expect=404)
    c.call("GET", f"/api/batches/{batches[0]['id']}")
    c.call("GET", "/api/batches/none", expect=404)
    c.call("GET", "/api/failures")
    c.call("GET", "/api/failures?queue=no-such-queue", expect=404)
    results = wait_for("a result", lambda: (c.call("GET", "/api/results") or {}).get("results"))
    c.call("GET", "/api/results/" + results[0]["message_id"])
    c.call("GET", "/api/results/" + results[0]["message_id"] + "/thumbnail.png")
    c.call("GET", "/api/results/" + "0" * 32, expect=404)
    c.call("POST", "/api/retry", {"ids": [job_id], "delay_seconds": 0})
    c.call("POST", "/api/retry", {"filter": {"queue": "images"}})
    c.call("POST", "/api/retry", {"filter": {"queue": "no-such-queue"}}, expect=404)
    c.call("POST", "/api/retry", {}, expect=400)
    c.call("POST", CF, {"queue_name": "openapi-dlq"})
    c.call("POST", "/api/redrive", {"queue": "openapi-dlq"})
    c.call("POST", "/api/redrive", {"queue": "no-such-queue"}, expect=404)
    c.call("POST", "/api/redrive", {}, expect=400)
    c.call("POST", "/api/delete", {"ids": [job_id]})
    c.call("POST", "/api/delete", {"ids": ["0" * 32]}, expect=404)
    c.call("POST", "/api/delete", {}, expect=400)
    c.call("DELETE", "/api/messages/" + second_id)
    c.call("DELETE", "/api/messages/" + second_id, expect=404)
    # The Worker project main() started the runtime with.
    wait_for("the Worker to run", lambda: any(w["state"] == "running"
                                               for w in c.call("GET", "/api/workers")["workers"]))
    c.call("POST", "/api/workers/openapi-worker/reload", expect=202)
    c.call("POST", "/api/workers/no-such-worker/reload", expect=404)
    c.call("GET", "/api/audit")
    c.call("GET", "/api/no-such-call", expect=404)


def main():
    binary, document = sys.argv[1:3]
    with open(document) as f:
        doc = yaml.safe_load(f)
    operations = check_document(doc)
    with tempfile.TemporaryDirectory() as data:
        project = os.path.join(data, "worker")
        os.makedirs(os.path.join(project, "src"))
        with open(os.path.join(project, "wrangler.toml"), "w") as f:
            f.write('name = "openapi-worker"\nmain = "src/index.ts"\ncompatibility_date = "2024-09-23"\n')
        with open(os.path.join(project, "src", "index.ts"), "w") as f:
            f.write("export default { async fetch(): Promise<Response> { return new Response('ok'); } };\n")
        process = subprocess.Popen([binary, "--headless", "--data-dir", data, "--port", "0",
                                    "--bind", "127.0.0.1", "--worker", project],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            endpoint = None
            while endpoint is None:
                line = process.stdout.readline()
                if not line:
                    fail("the runtime did not start: " + process.stderr.read())
                m = re.search(r"listening on (http://127\.0\.0\.1:\d+/)", line)
                if m:
                    endpoint = m.group(1)
            checker = Checker(doc, endpoint)
            exercise(checker)
        finally:
            process.terminate()
            process.wait(timeout=30)
    problems = checker.failures + [f"documented but never answered: {m}"
                                   for m in checker.unexercised(operations)]
    for p in problems:
        print(p, file=sys.stderr)
    if problems:
        fail(f"{len(problems)} problem(s)")
    print(f"{len(operations)} operations, {len(checker.seen)} (route, status) pairs match the document")


if __name__ == "__main__":
    main()
