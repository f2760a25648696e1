"""What the line says, per language.

After hours the policy makes the line speak English only, so every prompt
exists in English; business-hours languages add their own real translations
(not English read with an accent).
"""

ENGLISH = "en-US"
DEFAULT_VOICE = "Polly.Joanna"

PROMPTS: dict[str, dict[str, str]] = {
    "en-US": {
        "greeting": "Thank you for calling {company} support.",
        "incident": "We are aware of an issue affecting {components}: {name}.",
        "incident_unplaced": "We are aware of an issue: {name}.",
        "incident_until": "We expect it to be resolved by {until}, {place} time.",
        "maintenance": "Scheduled maintenance is in progress on {components}: {name}.",
        "maintenance_unplaced": "Scheduled maintenance is in progress: {name}.",
        "maintenance_until": "We expect it to be completed by {until}, {place} time.",
        "closed": "You have reached us outside our support hours, so this line is answered in English only.",
        "holiday": "Today is {holiday}, a holiday.",
        "closure": "Our offices are closed today for {closure}.",
        "hours": "Our support hours are {hours}, {place} time, except local holidays.",
        "reopens": "Support reopens {reopens}, {place} time.",
        "after_hours_menu": (
            "If this is a critical issue affecting your production environment, press 1. "
            "To leave a message, press 2."
        ),
        "menu_new": "To report a new problem, press 1.",
        "menu_existing": "To call about an existing case, press 2.",
        "menu_tam": "To speak with your Technical Account Manager, press 3.",
        "case_number": "Please enter your case number, followed by the pound key.",
        "case_unknown": "Sorry, we could not find that case.",
        "connecting_case": "Please hold while we connect you about case {case}.",
        "connecting_tam": "Please hold while we connect you to your Technical Account Manager.",
        "pin": "Please enter your PIN, followed by the pound key.",
        "pin_wrong": "Sorry, that PIN is not correct.",
        "channels": ("Your {package} support package does not include phone support. You can reach us by "
                     "{channels}. Goodbye."),
        "blocked": "This number cannot reach support. Goodbye.",
        "joined": "We have added this call to your open case, number {case}.",
        "and": "and",
        "channel_phone": "phone",
        "channel_email": "e-mail",
        "channel_portal": "the customer portal",
        "channel_chat": "chat",
        "no_input": "Sorry, I didn't get that.",
        "invalid": "Sorry, that is not one of the options.",
        "account": "Please enter your account number, followed by the pound key.",
        "account_unknown": "Sorry, we could not find that account number.",
        "unidentified": "We could not identify your account, so we will take a message instead.",
        "not_entitled": (
            "Your support package does not include critical phone support outside business hours, "
            "so we will take a message instead."
        ),
        "critical_confirm": (
            "{customer}, you are reporting a critical issue: your production environment is down "
            "or severely impaired. To confirm and page the on-call engineer, press 1. "
            "To leave a regular message instead, press 2."
        ),
        "critical_paging": (
            "Your critical case number is {case}. We are paging the on-call engineer now. "
            "After the tone, briefly describe the problem, then press the pound key."
        ),
        "critical_paged": (
            "Thank you. The on-call engineer has been paged and will call you back as soon as possible. "
            "Your case number is {case}. Goodbye."
        ),
        "case_is": "Your case number is {case}.",
        "connecting": "Please hold while we connect you to Customer Service.",
        "connecting_engineer": (
            "Your critical case number is {case}. Please hold while we connect you to the on-call engineer."
        ),
        "engineer_will_call": (
            "No engineer could take your call right now. The on-call engineers have been paged, and one will "
            "call you back as soon as possible. Your case number is {case}. Goodbye."
        ),
        "nobody_answered": "Sorry, all of our agents are busy right now.",
        "message": (
            "After the tone, please leave your name, your company, a phone number and a short "
            "description of the problem. Press the pound key when you are done."
        ),
        "message_taken": "Thank you. Your case number is {case}. We will respond by {due}, {place} time. Goodbye.",
        "goodbye": "Thank you for calling. Goodbye.",
        "unknown_line": "This number is not in service. Goodbye.",
        "trouble": "We are sorry, we are having technical difficulties.",
        "trouble_critical": "Please hold while we connect you to the on-call engineer.",
        "trouble_message_kept": "Your message is kept, and we will call you back. Goodbye.",
        "static_fallback": ("We are sorry, our phone system is having technical difficulties. If this is a "
                            "critical issue affecting your production environment, please hold while we connect "
                            "you to an engineer. Otherwise, please call again later, or write to us through your "
                            "support channels."),
        "trouble_call_back": ("Please call again in a few minutes, or write to us through your support channels. "
                              "Goodbye."),
    },
    "pt-BR": {
        "greeting": "Obrigado por ligar para o suporte da {company}.",
        "incident": "Estamos cientes de um problema que afeta {components}: {name}.",
        "incident_unplaced": "Estamos cientes de um problema: {name}.",
        "incident_until": "Esperamos resolvê-lo até {until}, horário de {place}.",
        "maintenance": "Há uma manutenção programada em andamento em {components}: {name}.",
        "maintenance_unplaced": "Há uma manutenção programada em andamento: {name}.",
        "maintenance_until": "Esperamos concluí-la até {until}, horário de {place}.",
        "menu_new": "Para abrir um novo chamado, tecle 1.",
        "menu_existing": "Para falar sobre um chamado existente, tecle 2.",
        "menu_tam": "Para falar com o seu Gerente Técnico de Contas, tecle 3.",
        "case_number": "Por favor, digite o número do chamado e, em seguida, a tecla sustenido.",
        "case_unknown": "Desculpe, não encontramos esse chamado.",
        "connecting_case": "Aguarde, estamos transferindo a sua ligação sobre o chamado {case}.",
        "connecting_tam": "Aguarde, estamos transferindo a sua ligação para o seu Gerente Técnico de Contas.",
        "pin": "Por favor, digite a sua senha e, em seguida, a tecla sustenido.",
        "pin_wrong": "Desculpe, essa senha não está correta.",
        "channels": (
            "O seu pacote de suporte {package} não inclui atendimento por telefone. Você pode nos contatar "
            "por {channels}. Até logo."
        ),
        "blocked": "Este número não pode acessar o suporte. Até logo.",
        "joined": "Esta ligação foi adicionada ao seu chamado aberto, número {case}.",
        "and": "e",
        "channel_phone": "telefone",
        "channel_email": "e-mail",
        "channel_portal": "portal do cliente",
        "channel_chat": "chat",
        "no_input": "Desculpe, não entendi.",
        "invalid": "Desculpe, essa opção não é válida.",
        "account": "Por favor, digite o número da sua conta e, em seguida, a tecla sustenido.",
        "account_unknown": "Desculpe, não encontramos esse número de conta.",
        "unidentified": "Não conseguimos identificar a sua conta, então vamos registrar uma mensagem.",
        "case_is": "O número do seu chamado é {case}.",
        "connecting": "Aguarde, estamos transferindo a sua ligação para o Atendimento ao Cliente.",
        "nobody_answered": "Desculpe, todos os nossos atendentes estão ocupados no momento.",
        "message": (
            "Após o sinal, deixe o seu nome, a sua empresa, um telefone e uma breve descrição do "
            "problema. Tecle sustenido ao terminar."
        ),
        "message_taken": (
            "Obrigado. O número do seu chamado é {case}. Responderemos até {due}, horário de {place}. "
            "Até logo."
        ),
        "goodbye": "Obrigado por ligar. Até logo.",
        "trouble": "Desculpe, estamos com dificuldades técnicas.",
        "trouble_message_kept": "A sua mensagem foi guardada, e retornaremos a sua ligação. Até logo.",
        "trouble_call_back": (
            "Por favor, ligue novamente em alguns minutos ou escreva para nós pelos seus canais de "
            "suporte. Até logo."
        ),
    },
}

# Prompts spoken only after hours, which are English by policy.
ENGLISH_ONLY = frozenset(
    {"closed", "holiday", "closure", "hours", "reopens", "after_hours_menu", "not_entitled", "critical_confirm",
     "critical_paging", "critical_paged", "unknown_line", "trouble_critical", "static_fallback", "connecting_engineer",
     "engineer_will_call"}
)

LANGUAGES = frozenset(PROMPTS)


def prompt(language: str, key: str, **values: object) -> str:
    """The text of prompt `key` in `language`, with its blanks filled in.

    An after-hours prompt has only its English text (the policy); asked for in another language (a
    caller whose action URL lost its state, say) it is spoken in English rather than not at all.
    """
    texts = PROMPTS.get(language, PROMPTS[ENGLISH])
    return texts.get(key, PROMPTS[ENGLISH][key]).format(**values)


def missing_prompts() -> dict[str, set[str]]:
    """For each language, the business-hours prompts it lacks (should be none)."""
    needed = set(PROMPTS[ENGLISH]) - ENGLISH_ONLY
    return {lang: needed - set(texts) for lang, texts in PROMPTS.items() if needed - set(texts)}
