"""The site's own texts: the default contact details and policy pages, and how a page's text is
turned into HTML.

The defaults are written once into the database (the migration portal 0005, and `load_seed` for
a database emptied since), only where a row is missing: from then on staff change them in the
admin (사이트 연락처 and 사이트 페이지) and nothing here overwrites their text. The contact details
are public knowledge about the city, not taken from the portal's sources: staff should check
them. The pages' contact section is drawn from the contact details, so a change of phone or
address is made once.

A page's text is plain text, so staff cannot break the page's HTML: each line a paragraph, a line
starting with "## " a heading, lines starting with "- " a list; web addresses become links.
Everything else is escaped.
"""

# The texts keep a paragraph to a line, as staff see and edit them in the admin.
# ruff: noqa: E501

CONTACT = {
    "owner": {"ko": "전주시", "en": "Jeonju City"},
    "department": {"ko": "전주시청", "en": "Jeonju City Hall"},
    "address": {
        "ko": "(54999) 전북특별자치도 전주시 완산구 노송광장로 10",
        "en": "10 Nosonggwangjang-ro, Wansan-gu, Jeonju-si, Jeonbuk State 54999, Republic of Korea",
    },
    "phone": "063-222-1000",
    "email": "",
    "website": "https://www.jeonju.go.kr",
}

PRIVACY_KO = """\
전주시 정책 포털(이하 "포털")은 「개인정보 보호법」에 따라 이용자의 개인정보를 보호하고, 포털이 어떤 정보를 왜, 얼마 동안 처리하는지 알리기 위해 이 방침을 둡니다.

## 1. 시민 이용자
포털에는 시민 회원 가입이나 로그인이 없습니다. 정책, 사업, 방문, 지표 페이지를 보거나 자료를 내려받을 때 이름, 연락처 같은 개인정보를 묻거나 받지 않습니다.

## 2. 처리하는 정보와 목적, 보유 기간
- 담당 공무원 계정: 자료를 입력하는 담당자의 아이디, 이름, 전자우편 주소(입력한 경우)와 암호화된 비밀번호. 자료 관리와 "누가 언제 무엇을 고쳤는지" 남기는 변경 이력을 위해 처리하며, 계정은 담당 업무가 끝나 삭제할 때까지, 변경 이력은 그 이력이 설명하는 자료와 함께 보관합니다.
- 담당자 로그인 기록: 관리 화면에 로그인을 시도할 때의 아이디, 접속 IP 주소, 브라우저 정보, 시각. 비밀번호를 추측하는 공격을 막기 위해(실패가 거듭되면 잠시 로그인을 막습니다) 처리하며, 보안 점검에 필요한 동안만 보관하고 삭제합니다.
- 서버 접속 기록: 누리집에 접속할 때 웹 서버가 남기는 IP 주소, 요청한 주소, 시각, 브라우저 정보. 서비스를 안정적이고 안전하게 운영하기 위해(장애와 부정 이용 확인) 처리하며, 운영과 보안에 필요한 기간만 보관한 뒤 삭제합니다. 과도한 요청을 막기 위해 IP 주소별 요청 수를 몇 분 동안 메모리에 셉니다.
- 쿠키: 언어를 고르는 양식을 쓰면 고른 언어(ko 또는 en)만 담은 언어 쿠키를 저장합니다. 담당자가 로그인하면 로그인 상태를 유지하는 세션 쿠키와 위조 요청을 막는 보안 쿠키를 쓰며, 세션은 브라우저를 닫거나 정해진 시간이 지나면 끝납니다. 광고나 방문 분석을 위한 쿠키는 쓰지 않습니다. 브라우저 설정에서 쿠키를 거부할 수 있으며, 거부해도 공개 페이지는 모두 이용할 수 있습니다.

## 3. 제3자 제공과 처리 위탁
포털은 위 정보를 제3자에게 제공하지 않습니다. 법령에 따라 요청이 있는 경우에는 그 절차에 따릅니다.

## 4. 정보주체의 권리와 문의
자신의 개인정보에 대한 열람, 정정, 삭제, 처리 정지를 요구하거나 이 방침에 대해 묻고 싶으시면 이 페이지 아래의 담당 부서로 연락해 주십시오.

## 5. 방침의 변경
이 방침을 바꾸면 이 페이지에 알리며, 페이지 아래에 마지막으로 고친 날짜를 표시합니다.
"""

PRIVACY_EN = """\
The Jeonju Policy Portal ("the portal") sets out here, in line with Korea's Personal Information Protection Act, what information it processes, why, and for how long.

## 1. Citizens
The portal has no citizen accounts and no sign-in. Reading the pages on policies, programs, visits and indicators, or downloading their data, asks for no name, contact details or other personal information.

## 2. What is processed, why, and for how long
- Staff accounts: the user name, name, e-mail address (where given) and hashed password of the city staff who enter data. They let staff keep the data, and the change history record who changed what and when; an account is kept until it is deleted when its holder's duties end, and the change history is kept with the data it describes.
- Staff sign-in attempts: the user name tried, the IP address, the browser and the time of each attempt to sign in to the staff screens. They stop password guessing (repeated failures block signing in for a while) and are kept only as long as security reviews need them.
- Server logs: the IP address, the address requested, the time and the browser of each request, as the web server records them. They keep the service running and secure (finding faults and misuse) and are kept only as long as operation and security need them, then deleted. To hold back floods of requests, requests are counted per IP address in memory for a few minutes.
- Cookies: if you use the language form, a language cookie holds only the language you chose (ko or en). Signed-in staff get a session cookie that keeps them signed in and a security cookie against forged requests; a session ends when the browser closes or after a set time. No advertising or visitor-tracking cookies are used. You can refuse cookies in your browser: every public page still works.

## 3. Sharing
The portal gives this information to no third party, except where a law requires it and through that law's procedure.

## 4. Your rights and questions
To see, correct or delete your personal information, to stop its processing, or to ask about this policy, contact the department named below.

## 5. Changes
Changes to this policy are published on this page, with the date of the last change shown below.
"""

COPYRIGHT_KO = """\
## 공공누리 제1유형
전주시 정책 포털이 만들어 공개하는 자료, 곧 정책, 사업, 벤치마킹 방문, 지표의 자료와 그 내려받기 파일(CSV, JSON), 그리고 포털이 쓴 설명 글은 공공누리 제1유형(출처표시)에 따라 누구나 자유롭게 이용할 수 있습니다. 출처를 밝히면 상업적으로 이용할 수 있고, 고치거나 다른 자료와 합쳐 새로운 저작물을 만들 수도 있습니다.
공공누리 제1유형의 이용 조건: https://www.kogl.or.kr/info/licenseType1.do

## 출처 표시 방법
자료를 이용할 때에는 다음과 같이 출처를 밝혀 주십시오.
- 예시: 이 자료는 전주시가 공공누리 제1유형으로 개방한 「전주시 정책 포털」의 '(자료 이름)'을 이용하였으며, 전주시 정책 포털에서 무료로 내려받을 수 있습니다.
- 자료를 고쳐 쓴 경우에는 고쳤다는 사실을 함께 밝혀 주십시오. 출처 표시가 전주시가 이용자를 후원하거나 보증한다는 뜻으로 읽히게 해서는 안 됩니다.

## 제3자의 저작물
수치 옆에 밝힌 출처 기사와 보도자료의 저작권은 그 글을 낸 언론사와 기관에 있으며, 공공누리를 적용하지 않습니다. 포털은 출처의 발행처, 제목, 날짜와 그 글에서 옮긴 사실과 수치만 싣습니다. 원문을 이용하려면 발행처의 이용 조건을 따르십시오.

## 문의
저작권과 자료 이용에 대한 문의는 이 페이지 아래의 담당 부서로 해 주십시오.
"""

COPYRIGHT_EN = """\
## Korea Open Government License Type 1
The data the Jeonju Policy Portal makes and publishes (policies, programs, benchmarking visits and indicators, their downloads in CSV and JSON) and the texts the portal writes are open to everyone under the Korea Open Government License (KOGL) Type 1: attribution. With the source named you may use them commercially, change them and combine them with other works.
The terms of KOGL Type 1: https://www.kogl.or.kr/info/licenseType1.do

## How to name the source
When you use the data, name its source, for example:
- This work uses "(name of the data)" of the Jeonju Policy Portal, released by Jeonju City under KOGL Type 1, available free of charge from the Jeonju Policy Portal.
- If you changed the data, say so. The attribution must not suggest that Jeonju City sponsors or endorses you.

## Works of others
The articles and press releases named as sources beside the figures belong to the publishers and bodies that issued them and are not under KOGL. The portal gives only their publisher, title and date and the facts and figures taken from them. To reuse an original text, follow its publisher's terms.

## Questions
Ask the department named below about copyright and the use of the data.
"""

ACCESSIBILITY_KO = """\
## 접근성 약속
전주시는 장애인과 고령자를 비롯한 누구나 전주시 정책 포털의 정보를 이용할 수 있도록, 한국형 웹 콘텐츠 접근성 지침(KWCAG) 2.2와 웹 콘텐츠 접근성 지침(WCAG) 2.2의 AA 수준을 지키는 것을 목표로 합니다.

## 확인하고 있는 것
- 자동 검사: 모든 종류의 공개 페이지를 한국어와 영어로 axe 접근성 검사 도구로 검사하며, 포털을 고칠 때마다 위반 사항이 없는지 확인합니다.
- 키보드: 마우스 없이 키보드만으로 본문 바로가기, 메뉴, 필터 양식, 표와 그래프 자료를 이용할 수 있는지, 초점이 눈에 보이는지 확인합니다.
- 휴대전화: 휴대전화 화면 너비(390픽셀)와 데스크톱 화면 너비에서 내용이 잘리지 않는지 확인합니다.
- 그래프마다 같은 수치를 표로도 제공하고, 페이지마다 언어를 표시하며(영어 페이지 속 번역되지 않은 한국어 포함), HTML 문법을 W3C 검사기(Nu HTML Checker)로 확인합니다.

## 알려진 한계
- 이 포털은 웹 접근성 품질인증을 받지 않았습니다. 자동 검사와 위의 확인만으로 모든 문제를 찾을 수는 없습니다.
- 영어 번역이 아직 없는 내용은 한국어로 보입니다.
- 출처 기사 등 포털 밖의 누리집으로 가는 링크의 접근성은 포털이 보장할 수 없습니다.

## 문제 신고
이용에 불편을 겪거나 접근성 문제를 발견하시면 이 페이지 아래의 담당 부서로 알려 주십시오. 문제가 생긴 페이지의 주소, 사용한 기기와 브라우저, 화면 낭독 프로그램 같은 보조기술을 함께 알려 주시면 더 빨리 확인할 수 있습니다.
"""

ACCESSIBILITY_EN = """\
## Our commitment
Jeonju City aims for the Jeonju Policy Portal to be usable by everyone, people with disabilities and older people included, by meeting the Korean Web Content Accessibility Guidelines (KWCAG) 2.2 and the Web Content Accessibility Guidelines (WCAG) 2.2 at level AA.

## What is checked
- Automatic checks: every type of public page, in Korean and in English, is checked with the axe accessibility engine for violations each time the portal is changed.
- Keyboard: the skip link, the menus, the filter forms, the tables and the charts' data can be used with the keyboard alone, and the focus can always be seen.
- Phones: nothing is cut off at a phone's width (390 pixels) or at a desktop's.
- Each chart has its figures in a table too; each page states its language (and marks Korean text on English pages that has no translation yet); the HTML is checked with the W3C's Nu HTML Checker.

## Known limits
- The portal does not hold the Korean web accessibility quality certification. Automatic checks and the checks above cannot find every problem.
- Content with no English translation yet appears in Korean.
- The portal cannot vouch for the accessibility of the other websites it links to, such as those of its source articles.

## Reporting a problem
If something on the portal is hard to use, or you find an accessibility problem, tell the department named below. The address of the page, the device and browser you used, and any assistive technology (such as a screen reader) help us find it faster.
"""

PAGES = {
    "privacy": {
        "title": {"ko": "개인정보처리방침", "en": "Privacy policy"},
        "body": {"ko": PRIVACY_KO, "en": PRIVACY_EN},
    },
    "copyright": {
        "title": {"ko": "저작권정책", "en": "Copyright policy"},
        "body": {"ko": COPYRIGHT_KO, "en": COPYRIGHT_EN},
    },
    "accessibility": {
        "title": {"ko": "웹 접근성 안내", "en": "Accessibility statement"},
        "body": {"ko": ACCESSIBILITY_KO, "en": ACCESSIBILITY_EN},
    },
}


def _fields(defaults: dict) -> dict:
    """Model field values from a defaults entry: a {"ko", "en"} pair fills both language fields
    (modeltranslation's), a plain value its own field."""
    values = {}
    for name, value in defaults.items():
        if isinstance(value, dict):
            values.update({f"{name}_{language}": text for language, text in value.items()})
        else:
            values[name] = value
    return values


def create_missing(apps) -> int:
    """Create the contact details and the pages that are not in the database, with the defaults;
    never change a row that is there. `apps` is a migration's app registry or django.apps.apps.
    Returns how many rows were created."""
    SiteContact = apps.get_model("portal", "SiteContact")
    SitePage = apps.get_model("portal", "SitePage")
    created = 0
    if not SiteContact.objects.filter(pk=1).exists():
        SiteContact.objects.create(pk=1, **_fields(CONTACT))
        created += 1
    present = set(SitePage.objects.values_list("slug", flat=True))
    for slug, defaults in PAGES.items():
        if slug not in present:
            SitePage.objects.create(slug=slug, **_fields(defaults))
            created += 1
    return created


def body_blocks(text: str) -> list[tuple[str, str | list[str]]]:
    """A page's plain text as blocks for its template, line by line: `## ` a heading ("h2", its
    text), a run of `- ` lines a list ("ul", the items), any other line a paragraph ("p", its
    text); empty lines only space the text out. The template escapes every text and links URLs."""
    blocks, items = [], []
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("- "):
            items.append(line[2:].strip())
            continue
        if items:
            blocks.append(("ul", items))
            items = []
        if line.startswith("## "):
            blocks.append(("h2", line[3:].strip()))
        elif line:
            blocks.append(("p", line))
    if items:
        blocks.append(("ul", items))
    return blocks
