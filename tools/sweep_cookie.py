"""Sign in to the sweep's server; write the session cookie in wapiti's JSON format.

Used by tools/sweep.sh: python tools/sweep_cookie.py BASE_URL EMAIL PASSWORD OUT.json
"""

import http.cookiejar
import json
import re
import sys
import urllib.parse
import urllib.request


def main(base: str, email: str, password: str, out: str) -> None:
    """Sign in through the real form (CSRF token and all) and save the cookies."""
    if not base.startswith(("http://", "https://")):
        sys.exit("BASE_URL must be an http(s) address")
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(base + "/account/sign-in").read().decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)[1]
    fields = {"email": email, "password": password, "csrf_token": token}
    request = urllib.request.Request(  # noqa: S310 - the scheme is checked above
        base + "/account/sign-in",
        data=urllib.parse.urlencode(fields).encode(),
        headers={"Referer": base + "/account/sign-in"},
    )
    final = opener.open(request)
    if "/admin" not in final.url:
        sys.exit(f"sign-in failed: ended at {final.url}")
    cookies: dict = {}
    for cookie in jar:
        domain = cookie.domain.removesuffix(".local")  # an IP address is looked up as it is
        cookies.setdefault(domain, {}).setdefault(cookie.path, {})[cookie.name] = {
            "value": cookie.value,
            "version": 0,
            "expires": None,
            "secure": False,
            "port": None,
        }
    with open(out, "w", encoding="utf-8") as file:
        json.dump(cookies, file)


if __name__ == "__main__":
    main(*sys.argv[1:5])
