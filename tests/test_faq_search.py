"""FAQ search finds the lost-PIN answer the way returning people ask for it, in every locale."""

import re

import pytest
from openncii.config import DEFAULTS
from openncii.helpdesk import faqsearch

# What people type when they have lost or forgotten their PIN or case number.
LOST_PIN_QUERIES = {
    "en": ["lost pin", "forgot my pin", "lost case number", "I can't remember my password"],
    "es": ["perdí el pin", "olvidé mi PIN", "perdí mi número de caso", "no recuerdo la contraseña"],
    "fr": ["pin perdu", "j'ai oublié mon code", "numéro de dossier perdu"],
    "de": ["PIN verloren", "PIN vergessen", "Fallnummer verloren"],
    "it": ["pin perso", "ho dimenticato il PIN", "numero di pratica perso"],
    "pt-BR": ["perdi o pin", "esqueci minha senha", "perdi o numero do caso"],
    "nl": ["pincode kwijt", "pin vergeten", "zaaknummer kwijt"],
    "pl": ["zgubiłem PIN", "zapomniałam kodu PIN", "zgubiony numer zgłoszenia"],
    "uk": ["загубив PIN", "забула пін-код", "втратив номер звернення"],
    "ru": ["потерял пин", "забыла PIN-код", "потеряла номер обращения"],
    "tr": ["PIN kaybettim", "şifremi unuttum", "başvuru numaramı kaybettim"],
    "ar": ["نسيت الرمز", "فقدت الرمز السري", "ضاع رقم الحالة"],
    "fa": ["پین را فراموش کردم", "رمز را گم کردم", "شماره پرونده گم شد"],
    "he": ["שכחתי את הקוד", "איבדתי את ה-PIN", "איבדתי את מספר התיק"],
    "hi": ["पिन भूल गया", "PIN खो गया", "केस नंबर खो गया"],
    "bn": ["পিন ভুলে গেছি", "PIN হারিয়ে গেছে", "আবেদন নম্বর হারিয়ে গেছে"],
    "ta": ["PIN மறந்துவிட்டேன்", "பின் தொலைந்தது", "கோரிக்கை எண் தொலைந்தது"],
    "zh-Hans": ["忘记PIN码", "密码丢了", "个案编号丢失", "我忘了我的PIN"],
    "ja": ["PINを忘れた", "暗証番号をなくした", "ケース番号を紛失", "PINを忘れました"],
    "ko": ["PIN 분실", "비밀번호를 잊어버렸어요", "케이스 번호를 잃어버렸어요"],
    "id": ["lupa PIN", "kehilangan kata sandi", "nomor kasus hilang"],
    "vi": ["quên mã PIN", "mất mật khẩu", "mất số hồ sơ", "quen ma pin"],
    "th": ["ลืมรหัส PIN", "ทำรหัสหาย", "หมายเลขเคสหาย"],
    "tl": ["nawala ang PIN", "nakalimutan ko ang password", "nawala ang case number"],
    "sw": ["nimesahau PIN", "nimepoteza nenosiri", "nimepoteza namba ya kesi"],
    "ur": ["پن بھول گیا", "PIN کھو گیا", "کیس نمبر گم ہو گیا"],
}


def test_every_locale_has_queries():
    assert set(LOST_PIN_QUERIES) == set(DEFAULTS["LANGUAGES"])


@pytest.mark.parametrize("lang", DEFAULTS["LANGUAGES"])
def test_lost_pin_queries_find_the_answer(client, lang):
    for query in LOST_PIN_QUERIES[lang]:
        found = client.get(f"/{lang}/faq/search.json", query_string={"q": query}).get_json()
        assert "lost-pin" in found["questions"], (lang, query, found)
        assert len(found["questions"]) < 12, (lang, query, found)  # it finds, not floods
        html = client.get(f"/{lang}/faq", query_string={"q": query}).get_data(as_text=True)
        anchors = re.findall(r'<section class="faq-question" id="([a-z0-9-]+)"', html)
        assert anchors == found["questions"]  # without JavaScript: the same answer


def test_nonsense_finds_nothing_and_offers_the_lost_pin_answer(client):
    assert client.get("/en/faq/search.json?q=zzzxqv").get_json() == {"questions": []}
    html = client.get("/en/faq?q=zzzxqv").get_data(as_text=True)
    assert "No questions match" in html
    assert '<p data-faq-lost><a href="/en/faq#lost-pin">Lost your case number or PIN?</a>' in html
    assert "<p data-faq-lost hidden>" in client.get("/en/faq").get_data(as_text=True)


def test_sign_in_page_links_to_the_lost_pin_answer(client):
    html = client.get("/es/status").get_data(as_text=True)
    assert 'href="/es/faq#lost-pin" data-testid="lost-pin-link"' in html


def rules(**groups):
    stop = groups.pop("stop", ())
    phrases = {
        faqsearch.normalize(entry): name for name, entries in groups.items() for entry in entries
    }
    return faqsearch.Rules(phrases, frozenset(stop), False)


def test_groups_stems_accents_and_stop_words():
    found = rules(lost=["lose", "forgot"], pin=["pin", "password"], stop=["my"])
    question = faqsearch.terms("What if I lose my case number or PIN?", found)
    assert question.groups == {"lost", "pin"}

    def hit(query):
        return faqsearch.matches(question, faqsearch.query_terms(query, found), found)

    assert hit("forgotten my password") and hit("LOSE pin") and hit("numbers") and hit("cas")
    assert not hit("numero")
    assert not hit("forgot my bicycle")
    assert faqsearch.normalize("Número ÉCHAP ﬁle") == "numero echap file"
    assert faqsearch.normalize("پیدا كردن") == faqsearch.normalize("پيدا کردن")
    assert faqsearch.normalize("पिन") == "पिन"  # vowel signs stay


def test_words_keep_their_vowel_signs():
    assert faqsearch.WORD.findall("पिन भूल गया") == ["पिन", "भूल", "गया"]
