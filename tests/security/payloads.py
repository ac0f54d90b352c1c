"""Hostile input, one table for every suite in tests/security/."""

SCRIPT_PAYLOADS = [
    "<script>alert('xss')</script>",
    '"><script>alert(1)</script>',
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    '<a href="javascript:alert(1)">click</a>',
    "<a href='data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=='>x</a>",
    "<iframe src=javascript:alert(1)></iframe>",
    "<body onload=alert(1)>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "';alert(1);//",
    "</title><script>alert(1)</script>",
    "{{ 7*7 }}{% debug %}",
]

SQL_PAYLOADS = [
    "' OR '1'='1",
    "1; DROP TABLE articles_article; --",
    '" OR 1=1 --',
    "1 UNION SELECT username, password FROM auth_user --",
    "%' AND 1=0 UNION SELECT NULL --",
]

TRAVERSAL_PAYLOADS = ["../../../../etc/passwd", "..%2f..%2f..%2fetc%2fpasswd", "....//....//etc/passwd", "%2e%2e%2f"]

CONTROL_PAYLOADS = ["\x00", "a\x00b", "\x1b[31mred", "\u202etxet", "\r\nSet-Cookie: evil=1", "\ufeff\u200b"]

OVERLONG_PAYLOADS = ["A" * 10_000, "é" * 5_000, "<" * 4_000]

TEXT_PAYLOADS = SCRIPT_PAYLOADS + SQL_PAYLOADS + TRAVERSAL_PAYLOADS + CONTROL_PAYLOADS + OVERLONG_PAYLOADS

# Raw query strings: malformed percent-encoding and bytes that are not UTF-8.
RAW_QUERY_STRINGS = ["q=%", "q=%zz", "q=%ff%fe", "q=%c0%af", "page=%00", "q=%E2%82", "q[]=1&q[]=2", "page=1e308"]

PAGE_NUMBERS = ["0", "-1", "1.5", "abc", "9" * 30, "1e9", "", "%00", "NaN", "Infinity"]

BAD_ARCHIVE_PATHS = [
    "/archive/0000/",
    "/archive/99999/",
    "/archive/2020/13/",
    "/archive/2020/00/",
    "/archive/2020/02/30/",
    "/archive/2020/02/31/",
    "/archive/2019/02/29/",
    "/archive/-1/",
    "/archive/2020/1/1/",
    "/2020/13/45/some-slug/",
    "/2020/02/30/some-slug/",
    "/9999/99/99/x/",
]

FORGED_TOKENS = ["x", "abc:def:ghi", "a" * 500, "..%2f", "eyJhbGciOiJub25lIn0.e30.", "%00", "1:1:1:1"]
