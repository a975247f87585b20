#!/usr/bin/env python3
"""Run a GitHub Actions workflow's steps here, in order, so that the example
workflow cannot rot: each `run:` step runs with bash -eo pipefail (GitHub's
default shell) in the workspace, with GITHUB_PATH and GITHUB_ENV honoured.

usage: run_workflow.py WORKFLOW.yml WORKSPACE (--tools DIR | --lfsc-git URL)

Steps are told apart by their `id`:
  deps   installs packages with apt-get: not run; every package it names must
         be installed here (dpkg-query), so a misspelt name is caught;
  lfsc   builds and installs lfsc: with --tools DIR it is only syntax-checked
         (bash -n) and DIR (the build tree's tools) goes on PATH instead; with
         --lfsc-git URL it runs, cloning URL (e.g. file:///path/to/checkout).
`uses:` steps: actions/checkout is the workspace given; actions/upload-artifact
checks that its paths exist and copies them to WORKSPACE/../artifacts.
The YAML reader takes the subset workflows need (block mappings, sequences,
plain and quoted scalars, | blocks, comments) and refuses anything else;
${{ }} expressions are refused too, as they would not be evaluated here.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile


class YamlError(Exception):
    pass


def scalar(text, where):
    text = text.strip()
    if text[:1] in ("'", '"'):
        q = text[0]
        end = text.rfind(q)
        if end == 0 or text[end + 1:].strip():
            raise YamlError(f"{where}: unsupported quoted scalar: {text}")
        body = text[1:end]
        return body.replace("''", "'") if q == "'" else body
    if text[:1] in ("[", "{", "&", "*", "!", "@", "`", ">"):
        raise YamlError(f"{where}: unsupported YAML: {text}")
    return text


def strip_comment(line):
    # a # starts a comment at the line's start or after a blank, outside quotes
    quote = None
    for i, c in enumerate(line):
        if quote:
            if c == quote:
                quote = None
        elif c in "'\"" and (i == 0 or line[i - 1] in " :-"):
            quote = c
        elif c == "#" and (i == 0 or line[i - 1] in " \t"):
            return line[:i].rstrip()
    return line.rstrip()


def parse_yaml(text, name):
    """Lines as (number, indent, content); then a recursive descent."""
    raw = text.split("\n")
    lines = []
    for n, line in enumerate(raw, 1):
        if "\t" in line[:len(line) - len(line.lstrip())]:
            raise YamlError(f"{name}:{n}: tab in indentation")
        lines.append((n, line))
    pos = 0

    def significant(i):
        while i < len(lines) and not strip_comment(lines[i][1]).strip():
            i += 1
        return i

    def indent_of(line):
        return len(line) - len(line.lstrip(" "))

    def block_literal(parent_indent):
        nonlocal pos
        body, ind = [], None
        while pos < len(lines):
            n, line = lines[pos]
            if line.strip() and indent_of(line) <= parent_indent:
                break
            if line.strip() and ind is None:
                ind = indent_of(line)
            body.append(line[ind:] if ind is not None and line.strip() else "")
            pos += 1
        while body and not body[-1]:
            body.pop()
        return "\n".join(body) + "\n"

    def value_after(rest, indent, where):
        nonlocal pos
        if rest == "|":
            return block_literal(indent)
        if rest:
            return scalar(rest, where)
        nxt = significant(pos)
        if nxt < len(lines) and indent_of(lines[nxt][1]) > indent:
            pos = nxt
            return node(indent_of(lines[nxt][1]))
        if nxt < len(lines) and indent_of(lines[nxt][1]) == indent and \
                lines[nxt][1].lstrip().startswith("- "):
            pos = nxt
            return node(indent)                 # a sequence at the key's indent
        return None

    def mapping_entry(content, indent, where, into):
        m = re.match(r"^([A-Za-z0-9_.-]+):(?:\s+(.*))?$", content)
        if not m:
            raise YamlError(f"{where}: expected 'key: value': {content}")
        key = m.group(1)
        if key in into:
            raise YamlError(f"{where}: duplicate key {key}")
        into[key] = value_after((m.group(2) or "").strip(), indent, where)

    def node(indent):
        nonlocal pos
        pos = significant(pos)
        n, line = lines[pos]
        if line.lstrip().startswith("- ") or line.strip() == "-":
            seq = []
            while True:
                pos = significant(pos)
                if pos >= len(lines):
                    return seq
                n, line = lines[pos]
                if indent_of(line) != indent or not line.lstrip().startswith("-"):
                    if indent_of(line) > indent:
                        raise YamlError(f"{name}:{n}: bad indentation")
                    return seq
                content = strip_comment(line)[indent + 1:]
                pos += 1
                inner = indent + 1 + (len(content) - len(content.lstrip()))
                content = content.strip()
                if re.match(r"^[A-Za-z0-9_.-]+:(\s|$)", content):
                    item = {}
                    mapping_entry(content, inner, f"{name}:{n}", item)
                    while True:
                        pos = significant(pos)
                        if pos >= len(lines) or indent_of(lines[pos][1]) != inner:
                            break
                        n2, l2 = lines[pos]
                        pos += 1
                        mapping_entry(strip_comment(l2).strip(), inner, f"{name}:{n2}", item)
                    seq.append(item)
                else:
                    seq.append(scalar(content, f"{name}:{n}"))
        result = {}
        while True:
            pos = significant(pos)
            if pos >= len(lines):
                return result
            n, line = lines[pos]
            if indent_of(line) < indent:
                return result
            if indent_of(line) > indent:
                raise YamlError(f"{name}:{n}: bad indentation")
            if line.lstrip().startswith("-"):
                return result
            pos += 1
            mapping_entry(strip_comment(line).strip(), indent, f"{name}:{n}", result)

    pos = significant(0)
    doc = node(0)
    if significant(pos) < len(lines):
        raise YamlError(f"{name}:{lines[pos][0]}: unexpected text")
    return doc


def no_expressions(text, where):
    if "${{" in text:
        raise YamlError(f"{where}: ${{{{ }}}} expressions are not evaluated by this runner")


def installed(pkg):
    r = subprocess.run(["dpkg-query", "-W", "-f=${Status}", pkg],
                       capture_output=True, text=True)
    return r.returncode == 0 and "install ok installed" in r.stdout


def main(argv):
    if len(argv) != 5 or argv[3] not in ("--tools", "--lfsc-git"):
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    wf_path, ws, mode, arg = argv[1], os.path.abspath(argv[2]), argv[3], argv[4]
    with open(wf_path, encoding="utf-8") as f:
        wf = parse_yaml(f.read(), wf_path)
    jobs = wf.get("jobs") or {}
    if len(jobs) != 1:
        raise YamlError(f"{wf_path}: expected one job, found {len(jobs)}")
    (job_name, job), = jobs.items()
    temp = tempfile.mkdtemp(prefix="runner-")
    env = dict(os.environ)
    env.update({"CI": "true", "GITHUB_ACTIONS": "true", "GITHUB_WORKSPACE": ws,
                "RUNNER_TEMP": temp, "HOME": os.path.join(temp, "home"),
                "GITHUB_PATH": os.path.join(temp, "github_path"),
                "GITHUB_ENV": os.path.join(temp, "github_env")})
    os.makedirs(env["HOME"])
    for k, v in (job.get("env") or {}).items():
        no_expressions(v, f"{wf_path}: env {k}")
        env[k] = v
    if mode == "--lfsc-git":
        env["LFSC_GIT"] = arg
    ran = passed = 0
    try:
        for i, step in enumerate(job.get("steps") or [], 1):
            label = step.get("name") or step.get("uses") or step.get("run", "").split("\n")[0]
            print(f"== step {i}: {label}", flush=True)
            if "uses" in step:
                action = step["uses"].split("@")[0]
                if action == "actions/checkout":
                    continue
                if action != "actions/upload-artifact":
                    raise YamlError(f"{wf_path}: step {i}: no stand-in for {action}")
                paths = [p for p in step["with"]["path"].split("\n") if p.strip()]
                dest = os.path.join(os.path.dirname(ws), "artifacts", step["with"]["name"])
                found = [p for p in paths if os.path.exists(os.path.join(ws, p.strip()))]
                if not found:
                    print(f"upload-artifact: none of {paths} exists")
                    return 1
                os.makedirs(dest, exist_ok=True)
                for p in found:
                    src = os.path.join(ws, p.strip())
                    to = os.path.join(dest, os.path.basename(p.strip().rstrip("/")))
                    (shutil.copytree if os.path.isdir(src) else shutil.copy)(src, to)
                print(f"upload-artifact: {', '.join(found)} -> {dest}")
                continue
            script = step["run"]
            no_expressions(script, f"{wf_path}: step {i}")
            step_env = dict(env)
            for k, v in (step.get("env") or {}).items():
                no_expressions(v, f"{wf_path}: step {i} env {k}")
                step_env[k] = v
            if os.path.exists(env["GITHUB_PATH"]):
                with open(env["GITHUB_PATH"]) as f:
                    extra = [p.strip() for p in f if p.strip()]
                step_env["PATH"] = os.pathsep.join(reversed(extra)) + os.pathsep + env["PATH"]
            if os.path.exists(env["GITHUB_ENV"]):
                with open(env["GITHUB_ENV"]) as f:
                    for ln in f:
                        if "=" in ln:
                            k, v = ln.rstrip("\n").split("=", 1)
                            step_env[k] = v
            sid = step.get("id")
            if sid == "deps":
                words = script.split()
                pkgs = [w for w in words[words.index("install") + 1:] if not w.startswith("-")] \
                    if "install" in words else []
                missing = [p for p in pkgs if not installed(p)]
                if not pkgs or missing:
                    print(f"deps: not installed here: {missing or 'no packages named'}")
                    return 1
                print(f"deps: not run; its {len(pkgs)} packages are installed here")
                continue
            if sid == "lfsc" and mode == "--tools":
                subprocess.run(["bash", "-n", "-c", script], check=True)
                with open(env["GITHUB_PATH"], "a") as f:
                    f.write(os.path.abspath(arg) + "\n")
                print(f"lfsc: syntax checked, not run; tools from {arg}")
                continue
            ran += 1
            r = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
                               cwd=ws, env=step_env)
            if r.returncode != 0:
                print(f"step {i} ({label}) failed: exit status {r.returncode}")
                return 1
            passed += 1
    finally:
        shutil.rmtree(temp, ignore_errors=True)
    print(f"{job_name}: {passed} of {ran} run steps succeeded")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except (YamlError, KeyError, ValueError) as e:
        print(f"run_workflow.py: {e}", file=sys.stderr)
        sys.exit(1)
