"""Dates as each language's readers write them (FORMAT_MODULE_PATH): `{{ day|date }}` gives
"2019. 10. 21." on a Korean page (the 한글 맞춤법 way, as Korean public sites write dates) and
"21 Oct 2019" on an English one. Only what differs from Django's own locale formats is set here;
the rest (input formats, numbers) comes from Django's. Machine-readable places (downloads, feeds,
<time datetime>) write ISO dates with an explicit "Y-m-d", never these."""
