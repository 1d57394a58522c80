"""The container API's shell commands (``feedback-msg``, ``getinput`` ...): each file in
/opt/inginious/bin calls ``main`` with its own name. Options as INGInious's commands take them."""

import argparse
import json
import sys

from inginious_container_api import feedback, input, rst


def _unescape(text):
    return text.encode("utf-8").decode("unicode-escape").encode("latin1").decode("utf-8")


def _text(args, value):
    text = value if value else sys.stdin.read()
    return _unescape(text) if getattr(args, "escape", False) else text


def feedback_result(argv):
    parser = argparse.ArgumentParser("feedback-result")
    parser.add_argument("-i", "--id", default="")
    parser.add_argument("result")
    args = parser.parse_args(argv)
    if args.id:
        feedback.set_problem_result(args.result, args.id)
    else:
        feedback.set_global_result(args.result)


def feedback_grade(argv):
    parser = argparse.ArgumentParser("feedback-grade")
    parser.add_argument("grade")
    feedback.set_grade(float(parser.parse_args(argv).grade))


def feedback_msg(argv):
    parser = argparse.ArgumentParser("feedback-msg")
    parser.add_argument("-a", "--append", action="store_true")
    parser.add_argument("-i", "--id", default="")
    parser.add_argument("-e", "--escape", action="store_true")
    parser.add_argument("-m", "--message", default="")
    args = parser.parse_args(argv)
    message = _text(args, args.message)
    if args.id:
        feedback.set_problem_feedback(message, args.id, args.append)
    else:
        feedback.set_global_feedback(message, args.append)


def feedback_msg_tpl(argv):
    parser = argparse.ArgumentParser("feedback-msg-tpl")
    parser.add_argument("-a", "--append", action="store_true")
    parser.add_argument("-i", "--id", default=None)
    parser.add_argument("template")
    parser.add_argument("parameters", nargs="*", help="name=value")
    args = parser.parse_args(argv)
    parameters = dict(p.split("=", 1) for p in args.parameters if "=" in p)
    if not feedback.set_feedback_from_tpl(args.template, parameters, args.id, args.append):
        sys.exit(1)


def feedback_custom(argv):
    parser = argparse.ArgumentParser("feedback-custom")
    parser.add_argument("-j", "--json", action="store_true")
    parser.add_argument("key")
    parser.add_argument("value")
    args = parser.parse_args(argv)
    value = args.value
    if args.json:
        try:
            value = json.loads(value)
        except ValueError:
            print("Cannot decode json. Invalid value for --json")
            sys.exit(1)
    else:
        for convert in (int, float):
            try:
                value = convert(value)
                break
            except ValueError:
                pass
    feedback.set_custom_value(args.key, value)


def feedback_state(argv):
    parser = argparse.ArgumentParser("feedback-state")
    parser.add_argument("state")
    feedback.set_state(parser.parse_args(argv).state)


def tag_set(argv):
    parser = argparse.ArgumentParser("tag-set")
    parser.add_argument("tag")
    parser.add_argument("value")
    args = parser.parse_args(argv)
    feedback.set_tag(args.tag, args.value.lower() in ("true", "1", "yes"))


def tag(argv):
    parser = argparse.ArgumentParser("tag")
    parser.add_argument("value")
    feedback.tag(parser.parse_args(argv).value)


def getinput(argv):
    parser = argparse.ArgumentParser("getinput")
    parser.add_argument("problem")
    args = parser.parse_args(argv)
    try:
        value = input.get_input(args.problem)
    except (OSError, KeyError):
        sys.stderr.write("Input file not found")
        sys.exit(2)
    if isinstance(value, bytes):
        sys.stdout.buffer.write(value)
    elif isinstance(value, (str, int, float)):
        sys.stdout.buffer.write(str(value).encode("utf-8"))
    else:
        sys.stdout.buffer.write(json.dumps(value).encode("utf-8"))


def parsetemplate(argv):
    parser = argparse.ArgumentParser("parsetemplate")
    parser.add_argument("-o", "--output", default="")
    parser.add_argument("input")
    args = parser.parse_args(argv)
    input.parse_template(args.input, args.output)


def rst_code(argv):
    parser = argparse.ArgumentParser("rst-code")
    parser.add_argument("-l", "--language", default="")
    parser.add_argument("-e", "--escape", action="store_true")
    parser.add_argument("-c", "--code", default="")
    args = parser.parse_args(argv)
    print(rst.get_codeblock(args.language, _text(args, args.code)))


def rst_image(argv):
    parser = argparse.ArgumentParser("rst-image")
    parser.add_argument("-f", "--format", default="")
    parser.add_argument("filename")
    args = parser.parse_args(argv)
    print(rst.get_imageblock(args.filename, args.format))


def rst_indent(argv):
    parser = argparse.ArgumentParser("rst-indent")
    parser.add_argument("-e", "--escape", action="store_true")
    parser.add_argument("-c", "--indent-char", default="\t")
    parser.add_argument("-a", "--amount", type=int, default=1)
    parser.add_argument("-m", "--message", default="")
    args = parser.parse_args(argv)
    print(rst.indent_block(args.amount, _text(args, args.message), args.indent_char))


COMMANDS = {
    "feedback-result": feedback_result,
    "feedback-grade": feedback_grade,
    "feedback-msg": feedback_msg,
    "feedback-msg-tpl": feedback_msg_tpl,
    "feedback-custom": feedback_custom,
    "feedback-state": feedback_state,
    "tag-set": tag_set,
    "tag": tag,
    "getinput": getinput,
    "parsetemplate": parsetemplate,
    "rst-code": rst_code,
    "rst-image": rst_image,
    "rst-indent": rst_indent,
}


def main(name):
    COMMANDS[name](sys.argv[1:])


def run_student_command(argv):
    """``run_student [--time S] [--hard-time S] [--memory MB] [--share-network] CMD...``: stdin,
    stdout and stderr streamed to and from the command while it runs, the signals that would end
    this process forwarded (they kill it), its return value as this one's."""
    from inginious_container_api import run_student

    parser = argparse.ArgumentParser("run_student")
    parser.add_argument("--container", default=None)
    parser.add_argument("--time", type=int, default=0)
    parser.add_argument("--hard-time", type=int, default=0)
    parser.add_argument("--memory", type=int, default=0)
    parser.add_argument("--share-network", action="store_true")
    parser.add_argument("--run-as-root", action="store_true")
    parser.add_argument("--teardown-script", default="")
    parser.add_argument("cmd", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    sys.exit(
        run_student.run_student(
            " ".join(args.cmd),
            time_limit=args.time,
            hard_time_limit=args.hard_time,
            memory_limit=args.memory,
            share_network=args.share_network,
            stdin=sys.stdin.fileno(),
            stdout=sys.stdout.fileno(),
            stderr=sys.stderr.fileno(),
            signal_handler_callback=run_student.forward_signals,
            run_as_root=args.run_as_root,
        )
    )


COMMANDS["run_student"] = run_student_command
