"""reStructuredText helpers for feedback messages."""


def indent_block(amount, text, indent_char="\t"):
    return "\n".join(indent_char * amount + line if line else line for line in text.split("\n"))


def get_codeblock(language, text):
    return "\n\n.. code-block:: " + language + "\n\n" + indent_block(1, text) + "\n\n"


def get_imageblock(filename, format=""):
    import base64

    with open(filename, "rb") as file:
        data = base64.b64encode(file.read()).decode("ascii")
    kind = format or filename.rsplit(".", 1)[-1]
    return f'\n\n.. raw:: html\n\n\t<img src="data:image/{kind};base64,{data}">\n\n'


def get_admonition(cssclass, title, text):
    return (
        f"\n\n.. admonition:: {title}\n   :class: alert alert-{cssclass}\n\n"
        + indent_block(1, text, "   ")
        + "\n\n"
    )
