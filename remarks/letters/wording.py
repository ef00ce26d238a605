"""The fixed wording of letters and receipts, in the languages letters are written in.

A letter is written in the language of the remark (Kazakh or Russian, or both), not in the
language of the page its signer happened to use, so its words are here rather than in the
interface's catalogues; each letter copies them into its snapshot when it is issued, so a
change here never changes a letter already sent.
"""

LETTER_LANGUAGES = ("kk", "ru")

# The right to dispute the answer: the law on appeals and the Administrative Procedural and
# Process Code of Kazakhstan. The system adds it to every letter; nobody types it.
DISPUTE = {
    "kk": ("Осы жауаппен келіспеген жағдайда Сіз оған Қазақстан Республикасының өтініштерді қарау "
           "тәртібі туралы заңнамасында және Қазақстан Республикасының Әкімшілік рәсімдік-процестік "
           "кодексінде белгіленген тәртіппен шағым жасауға құқылысыз."),
    "ru": ("В случае несогласия с настоящим ответом Вы вправе обжаловать его в порядке, установленном "
           "законодательством Республики Казахстан о порядке рассмотрения обращений и Административным "
           "процедурно-процессуальным кодексом Республики Казахстан."),
}

LABELS = {
    "kk": {
        "outgoing": "Шығыс №", "date": "Күні", "to": "Кімге", "re": "Ескерту",
        "corrects": "Бұл хат мына хаттағы қатені түзетеді: №",
        "verify": "Хаттың түпнұсқалығын тексеру", "code": "Тексеру коды",
        "no_signature": "Хатта электрондық цифрлық қолтаңба (ЭЦҚ) жоқ; көшірме SHA-256 хэші бойынша тексеріледі.",
        "receipt": "Ескертуді тіркеу туралы талон", "reference": "Тіркеу нөмірі",
        "filed": "Берілген күні мен уақыты", "registered": "Тіркелген күні", "body": "Жіберілген орган",
        "due": "Жауап беру мерзімі", "author": "Автор", "contributors": "Жауапты дайындауға қатысқан органдар",
        "snapshot": "Талон тіркеу сәтіндегі деректерді көрсетеді; орган мен мерзім кейін өзгеруі мүмкін.",
    },
    "ru": {
        "outgoing": "Исх. №", "date": "Дата", "to": "Кому", "re": "Замечание",
        "corrects": "Настоящее письмо исправляет ошибку в письме №",
        "verify": "Проверка подлинности письма", "code": "Код проверки",
        "no_signature": "Письмо не содержит электронной цифровой подписи (ЭЦП); копия проверяется по хэшу SHA-256.",
        "receipt": "Талон о регистрации замечания", "reference": "Регистрационный номер",
        "filed": "Дата и время подачи", "registered": "Дата регистрации", "body": "Направлено в",
        "due": "Срок ответа", "author": "Автор", "contributors": "Ответ подготовлен при участии",
        "snapshot": "Талон отражает данные на момент регистрации; орган и срок могут измениться позже.",
    },
}


def languages_of(language: str) -> tuple[str, ...]:
    """The languages a letter in `language` ("kk", "ru" or "kk_ru") is written in."""
    return tuple(code for code in LETTER_LANGUAGES if code in language.split("_"))
