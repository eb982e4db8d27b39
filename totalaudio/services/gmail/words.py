"""Words of auto-replies, unsubscribe requests and bounces in English, German, French, Spanish, Italian, Dutch
and Portuguese. Used only after the headers (RFC 3834, RFC 3464, Exchange, responders) had nothing to say."""

from __future__ import annotations

import re

I = re.I | re.S

# Subject prefixes responders put on their replies (never after a "Re:": a person replying keeps theirs).
AUTO_SUBJECT = re.compile(
    r"^\s*(automatic reply|auto[- ]?reply|auto[- ]?response|autoresponse|out of (the )?office|ooo\b|away from"
    r"|on (annual )?leave|vacation|abwesenheit|automatische antwort|abwesend|réponse automatique|absence|absent"
    r"|respuesta automática|fuera de la oficina|ausente|risposta automatica|fuori ufficio|assente"
    r"|automatisch antwoord|afwezig|resposta automática|fora do escritório|ausência|ticket received"
    r"|autosvar|automatisk svar|automaattinen vastaus|odpowiedź automatyczna|automatická odpověď|otomatik yanıt"
    r"|read:|gelesen:|lu :|leído:|letto:|gelezen:|lido:|undeliverable read receipt|awaiting moderation"
    r"|\[?request received|thank you for (contacting|your (email|message|submission))|thanks for (contacting|your"
    r" (email|message|submission))|we have received your|we've received your|your request .{0,40}received"
    r"|(support )?ticket (#|no|number|\d)|\[#?\d{3,}\])", re.I)

# Phrases only a responder writes: present-tense absence with a return, unmonitored boxes, acknowledgements.
AUTO_BODY = re.compile(
    r"(\b(i am|i'm|i will be|i'll be)\s+(currently\s+)?(out of (the )?office|away|absent|on (annual |parental |"
    r"maternity |paternity |sick )?leave|on (holiday|vacation)|travell?ing|off)\b(?![^.\n]{0,60}\bfrom\b)"
    r"[^.\n]{0,60}\b(until|till|through|returning|back on|and will|with (limited|no) access)"
    r"|\b(limited|no|intermittent) access to (my )?e-?mail|\bthis is an? (automatic|automated|auto-generated)"
    r"|\bautomated (reply|response|message)|\bautomatic (reply|response)|mailbox is (not|no longer) (monitored|"
    r"checked|in use|active)|inbox is (not|no longer) (monitored|checked)|(email|address) is no longer (in use|"
    r"active|monitored)|\bno longer (works?|working|employed) (at|for|with)\b|\bhas left (the company|\w+)\b"
    r"|(\bwill|\bshall|'ll) (reply|respond|get back to you|answer)[^.\n]{0,40}\b((on|upon|after) my return|when i(?: am"
    r"|'m) back)"
    r"|\b(i am|i'm|am|is|are) currently (out of (the )?office|away from (the|my) (office|desk)|on (annual |parental |maternity |"
    r"paternity |sick )?leave|on (holiday|vacation))|\b(i am|i'm) (currently )?out of (the )?office[.!]?\s*$"
    r"|\bout of (the )?office (until|till|through|returning)|please do not reply to this (e-?mail|message)"
    r"|\bthank you for your (e-?mail|message)[.!]?\s+(i am|i'm|i will be|i'll be)\b[^.\n]{0,40}\b(away|absent"
    r"|out of|on (annual )?leave|on holiday|on vacation|off)"
    r"|(we|i) have received your (e-?mail|message|request|submission|enquiry)|\bticket (has been )?(created|"
    r"opened)|your (request|ticket) .{0,30}(has been|was) (received|created)"
    r"|nicht im büro|außer haus|im urlaub|abwesend|keinen zugriff auf (meine )?e-?mails|nicht weitergeleitet"
    r"|wieder (im büro|erreichbar|da)|automatische (antwort|nachricht)|ich bin\b[^.\n]{0,40}\b(nicht im büro"
    r"|abwesend|im urlaub|außer haus)"
    r"|je (suis|serai) (actuellement )?(absente?|en congés?|en vacances|hors du bureau)|dès mon retour"
    r"|message automatique"
    r"|r[ée]ponse automatique"
    r"|(estoy|estaré|me encuentro) (fuera de la oficina|de vacaciones|ausente)|a mi regreso|respuesta automática"
    r"|mensaje automático|(sono|sarò) (fuori ufficio|in ferie|assente)|al mio rientro|messaggio automatico"
    r"|risposta automatica|ik ben\b[^.\n]{0,40}\b(afwezig|met vakantie|niet aanwezig|op vakantie|niet op kantoor)"
    r"|automatisch (antwoord|bericht)"
    r"|wordt niet doorgestuurd|(estou|estarei) (de férias|ausente|fora do escritório)|resposta automática"
    r"|mensagem automática|no meu regresso"
    r"|poza biurem|jestem na urlopie|på semester|ikke på kontoret|inte på kontoret|är tjänstledig|olen lomalla"
    r"|mimo kancelář|ofis dışında)", I)

UNSUBSCRIBE = re.compile(
    r"(^[ \t]*(unsubscribe|remove|stop|abmelden|austragen|désinscription|désabonner|baja|uitschrijven|afmelden"
    r"|cancellami|descadastrar)\W*$|(^|[.!?]\s+)(unsubscribe|remove me|unsubscribe me)( please)?[.!]?\s*$"
    r"|^[ \t]*unsubscribe (me|please|us)\b"
    r"|(?<!\bto )(?<!\bnot )(?<!n't )\bunsubscribe (me|us)\b|\bplease unsubscribe|\bi (want|wish|would like|'d like)"
    r" to unsubscribe|\b(remove|take|delete|drop) (me|us|my (e-?mail|address|name)|this (e-?mail|address))"
    r" (from|off) (your|the|this|all)\b[^.\n]{0,30}\b(list|lists|database|mailing|mailings|contacts?)"
    r"|\b(stop|quit|cease) (e-?mailing|sending|contacting|spamming)( me| us)?|\b(do not|don't|please don't|never)"
    r" (e-?mail|contact|send( me)?) (me|us|anything)|\bno (more|further) (e-?mails?|mails|pitches|messages)\b"
    r"|\bopt (me )?out\b|\bnot (interested in|want to) receiv\w+ (any )?(more|further)"
    r"|\bplease remove (me|us|my)\b|(no longer|don't|do not) (wish|want|need) to (receive|get|be on)"
    r"|no (me )?(envíe[ns]?|envies|envíes|mandes?|manden) más|não me (envie|mande)m? mais|non (inviatemi|mandatemi"
    r"|mandarmi|inviarmi) più|ne m'envoyez plus|schicken sie mir keine|stuur (mij|me) geen"
    r"|(mij|me) (van|uit) (uw|jullie|de|je) (mailing|verzend)?lijst|(von|aus) (ihrer|der|eurer|deiner) "
    r"(mailing|e-?mail-?|verteiler)?liste"
    r"|aus (ihrem|dem|eurem|deinem) verteiler|(streichen|nehmen|entfernen|löschen) sie mich|keine (weiteren|"
    r"e-?mails|mails|nachrichten) mehr|keine weiteren (e-?mails|mails|nachrichten)|bitte (abmelden|austragen)"
    r"|\babbestellen\b|me (retirer|désinscrire|désabonner|supprimer) de|ne plus (m'envoyer|me contacter|recevoir)"
    r"|être désinscrit|\bdésinscri(vez|re)-moi|\bdar(me)? de baja|\bdadme de baja|\bdenme de baja|de baja de"
    r"|(eliminar|borrar|quitar)(me)? de (su|vuestra|la|tu) lista|no (quiero )?recibir más|dejar de recibir"
    r"|cancellarmi|cancellatemi|rimuovermi|rimuovetemi|disiscriver|non (voglio )?ricevere più"
    r"|\buitschrijven\b|\bschrijf me uit|verwijder (mij|me|mijn)|geen (e-?mails?|mails|berichten) meer"
    r"|\bafmelden\b|descadastr|cancelar (a )?(minha )?inscri|remov(er|am|a|ei) (o )?(meu|o meu)|não (quero )?"
    r"receber mais|retir(em|ar)-me|sair da (vossa |sua )?lista)", re.I | re.M)

# Bounce notices: subjects and body phrases of Postfix, Exim, Exchange/Office 365, Gmail, qmail, Sendmail, Yahoo.
BOUNCE_SUBJECT = re.compile(
    r"(could not be delivered|couldn't be delivered|returning (message )?to sender|failed mail|delivery fail"
    r"|: non remis|^\s*(undeliver(able|ed)|undelivered mail|delivery status notification|mail delivery (failed|failure"
    r"|subsystem)|failure notice|returned mail|delivery (failure|failed|delayed|has failed|notification)"
    r"|warning: could not send|non[- ]?delivery|message not delivered|could not be delivered|unzustellbar"
    r"|nicht zustellbar|non remis|non distribuable|échec de (la )?remise|no se puede entregar|imposible entregar"
    r"|mail system error|nondeliverable|ndn:|delivery notification: delivery has failed|returned mail"
    r"|mail failed|processing error|non-delivery)"
    r"|non recapitabil|mancato recapito|onbestelbaar|niet bezorgd|não (é possível )?entreg|mensagem não entregue)",
    re.I)
BOUNCE_BODY = re.compile(
    r"(could not be delivered|couldn't be delivered|wasn't delivered|was not delivered|delivery has failed"
    r"|delivery to the following recipient|unable to deliver|permanent (fatal )?error|failed permanently"
    r"|message not delivered|address not found|user unknown|no such user|mailbox unavailable|recipient not found"
    r"|undeliverable|does not exist|delivery is delayed|delivery (will|has been) (retried|delayed)|temporary problem"
    r"|the following address(es)? (had|failed)|qmail-send program|mail delivery software|returned to sender"
    r"|konnte nicht zugestellt|unzustellbar|n'a pas pu être remis|no se pudo entregar|non è stato possibile"
    r"|kon niet worden bezorgd|não foi possível entregar)", re.I)
MAILER_DAEMON = re.compile(r"(^|[<\s\"])(mailer-?daemon|mail-daemon)(@|>|$)", re.I)
DAEMON = re.compile(r"^(mailer[- ]?daemon|post_?master|mail-daemon|mail deliver|bounce|bounces|mdaemon|nobody"
                    r"|microsoftexchange[0-9a-f]{8,}|mail administrator|mail system)", re.I)
# Senders whose mail is machine-written whatever it says (a reply "from" them is an acknowledgement).
MACHINE_SENDER = re.compile(r"^(no-?reply|do-?not-?reply|donotreply|noreply-\w+|auto-?reply|autoresponder"
                            r"|auto-?confirm|notifications?|support-noreply)@", re.I)
