"""The student's input: answers by problem id, ``@username``-style keys, file problems, templates."""

import datetime
import json
import os
import re

from inginious_container_api import INPUT_FILE


def load_input():
    with open(INPUT_FILE, encoding="utf-8") as file:
        return json.loads(file.read().strip("\0").strip())


def _is_file(value):
    return isinstance(value, dict) and "filename" in value and "value" in value


def get_input(problem):
    """A problem's answer: text, or for a file problem its content (bytes); ``pid:filename`` names it."""
    pid, _, sub = problem.partition(":")
    value = load_input()["input"][pid]
    if _is_file(value):
        if sub == "filename":
            return value["filename"]
        with open(value["value"], "rb") as file:
            return file.read()
    return value


def get_username():
    return get_input("@username")


def get_lang():
    return get_input("@lang")


def get_submission_time():
    return datetime.datetime.strptime(get_input("@time"), "%Y-%m-%d %H:%M:%S.%f")


def _field_text(value, sub):
    if sub == "value":
        with open(value["value"], "rb") as file:
            return file.read().decode("utf-8")
    if sub:
        return value[sub]
    return str(value)


def parse_template(input_filename, output_filename=""):
    """Fills ``@PREFIX@problem_id@POSTFIX@`` markers with the answers: every line of the answer
    framed by PREFIX and POSTFIX (``@    @code@@`` indents each line by four spaces)."""
    data = load_input()
    if "input" not in data:
        raise ValueError("Could not find 'input' in data")
    with open(input_filename, "rb") as file:
        template = file.read().decode("utf-8")
    for field, value in data["input"].items():
        subs = ["filename", "value"] if _is_file(value) else [""]
        for sub in subs:
            name = field + (":" + sub if sub else "")
            marker = re.compile("@([^@]*)@" + re.escape(name) + "@([^@]*)@")
            for prefix, postfix in set(marker.findall(template)):
                text = _field_text(value, sub)
                lines = "\n".join(prefix + line + postfix for line in text.splitlines())
                template = template.replace(f"@{prefix}@{name}@{postfix}@", lines)
    target = output_filename or input_filename
    if os.path.dirname(target):
        os.makedirs(os.path.dirname(target), exist_ok=True)
    with open(target, "wb") as file:
        file.write(template.encode("utf-8"))
