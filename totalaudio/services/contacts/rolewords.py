"""The role vocabulary: words that name a function, a department, a machine or a group rather than a person.

The project's own knowledge, by field, in the languages of a plugger's base (English, German, French, Spanish,
Portuguese, Italian, Dutch, Polish, Scandinavian). Given names are left out on purpose (no 'bill', 'mark', 'grant',
'art', 'victor', 'angel'): a mailbox made of these words alone belongs to nobody in particular.
"""

from __future__ import annotations


def _words(*blocks: str) -> frozenset[str]:
    return frozenset(w for block in blocks for w in block.split())


CONTACT = """
info information infos informations informacion informacoes informacao informazioni informatie informacja contact
contacts contacto contato contatti kontakt kontakte kontakty hello hallo hola ola bonjour ciao hej hi hey welcome
enquiries enquiry inquiries inquiry questions question ask askus query queries feedback comments comment suggestions
mail email emails mails post postbox inbox mailbox mailboxes letters messages message reply replies respond response
talk chat call callback calls write general main central reception receptionist frontdesk front desk switchboard
operator concierge office offices home hq headquarters head headoffice zentrale empfang accueil recepcion recepcao
oficina escritorio bureau biuro kantoor kontor ufficio buero buro sekretariat secretariat secretaria secretary
secretaries secretariaat secretaris secretario secretaire sekretaer segreteria sekretariatet correo courrier posta anfrage anfragen demande demandes
"""
ADMIN = """
admin admins administrator administrators administration administracion administracao amministrazione administratie
verwaltung administracja management manager managers mgmt mgr director directors direction direccion direcao
direzione directie direktion dyrekcja leitung geschaeftsfuehrung geschaftsfuhrung gerencia gerente board boards chair
chairman chairperson president presidente presidencia vorstand bestuur zarzad styret styrelsen ceo cto cfo coo cmo
cio cso cpo founder founders cofounder owner owners partner partners principal executive executives exec execs
assistant assistants assistente asistente assistenza chief chef chefs chefredaktion captain captains lead leads
leader leaders leadership governance committee committees council trustees trustee members member membership
mitglieder membres leden socios association society club verein union staff crew team teams equipe equipo squadra
zespol group groups department departments dept depts division div unit office
"""
PEOPLE = """
hr humanresources people personnel personal personale pessoal personeel kadry rrhh rh jobs job careers career
karriere carriere carreira carreras empleo empleos emploi empregos lavoro praca werk vacatures vacancies vacancy
hiring hire recruit recruits recruiting recruitment recruiter recruiters recrutement reclutamento rekrutacja
talent talents applicants applicant applications application apply bewerbung bewerbungen candidatures cv cvs
resume resumes interns intern internship internships praktikum stage stages volunteer volunteers volunteering
benevoles benevolat vrijwilligers voluntarios training trainings learning onboarding offboarding payroll benefits
pension pensions timesheet timesheets rota roster scheduling holidays leave absence fte workforce labor labour
employees employee employer alumni students student faculty teachers teacher school schools highschool class
classof academy education ausbildung formation
"""
FINANCE = """
finance finances financial financeiro finanzas finanza finanse accounts account accounting accountant accountants
accts acct ap ar billing bills invoice invoices invoicing facturation facturacion faturamento fatture faktura
faktury facturen rechnung rechnungen payments payment pay pays paypal payable payables receivable receivables
pagos pagamentos purchase purchases purchasing procurement einkauf inkoop compras acquisti zakupy buyer buyers
buying supply supplies supplier suppliers suprimentos proveedores proveedor fornecedores fornecedor fornitori
fournisseurs lieferanten leveranciers vendor vendors treasury tax taxes vat audit auditor auditors
budget budgets expenses expense credit credits collections cobranza cobranca refund refunds orders order pedidos
zamowienia quotes quote estimates receipts receipt donations donation donate donors donor fundraising funding
grants sponsor sponsors sponsoring sponsorship investor investors ir shareholders stockholders angels capital
ventures equity bank banking fees royalties buchhaltung boekhouding contabilidad contabilidade contabilita
comptabilite compta ksiegowosc regnskab ekonomi okonomi kasse cashier
"""
LEGAL = """
legal law lawyer lawyers counsel attorney attorneys contracts contract licensing license licenses licence licences
rights copyright copyrights trademark trademarks compliance gdpr privacy dpo dataprotection datenschutz
juridique juridico legale impressum security trust safety fraud risk abuse spam phishing report reports reporting
complaints complaint claims claim dispute disputes ethics whistleblower
"""
SALES = """
sales sale sell seller sellers selling insidesales verkauf vertrieb vendas ventas vendite sprzedaz salg verkoop
forsaljning bizdev biz business businessdevelopment bd commercial comercial commerciale deals deal offers offer
promo promos promotion promotions marketing mktg mkt advertising advertise advertisers advertiser ads ad adsales
adops werbung publicidad publicidade pubblicita publicite reklama reklame pub media mediasales press presse prensa
imprensa stampa prasa pr publicity communications communication comms comunicacion comunicacao comunicazione
kommunikation brand brands branding campaigns campaign growth acquisition leads lead affiliates affiliate
partnerships partnership ambassador ambassadors influencers influencer creators social socialmedia community
communities events event eventos eventi evenements veranstaltungen newsletter newsletters subscribers subscriber
subscriptions subscription subscribe unsubscribe customers customer clients client kunden klanten clientes retail
wholesale shop shops store stores marketplace merch merchandise ecommerce shipping shipment delivery deliveries
returns logistics logistica logistik warehouse export exports import imports trade tenders tender envio envios
entregas versand sponsorships partenariats
"""
SUPPORT = """
support supports suporte soporte supporto help helpdesk servicedesk service services servicio servicos servizio
serwis kundenservice kundeservice klantenservice customerservice care success customersuccess cs cx ux ui qa
quality complaints aide ayuda ajuda hilfe pomoc atendimento atencion sac ouvidoria assistance warranty repairs
repair maintenance facilities facility building buildings estates cleaning parking reservations reservation
booking bookings tickets ticket ticketing boxoffice guest guests guestlist visitors visitor tours tour
"""
TECH = """
it tech technical technology technik technique techniek tecnico techsupport itsupport dev devs developer
developers development devops ops operations sysadmin sysadmins root system systems sys server servers hosting
host hostmaster domains domain dns ssl cert certs web website websites webdev www ftp smtp imap pop mailer
daemon postfix exim sendmail bounce bounces noreply donotreply auto automated autoreply robot robots bot bots
alerts alert alarm alarms notifications notification notify notices notice status monitor monitoring uptime outage
outages incident incidents oncall pager logs log backup backups cron git github gitlab jira build builds deploy
release releases ci test tests testing tester staging demo sandbox api apis app apps mobile android ios data
database db dba analytics stats statistics metrics bi research engineering eng engineer engineers architect
network networks netops noc soc infosec csirt informatica informatique login logins password passwords register
registration registrations signup signin verify verification confirm confirmation auth sso frontend backend
fullstack design designer designers product products productteam pm project projects platform software hardware
cloud online digital internet intranet extranet cms crm erp pkg package packages docs documentation doc wiki
feed feeds rss update updates upgrade upgrades download downloads upload uploads files file storage sync
account accounts user users usr guest dummy fake null nobody anonymous example sample placeholder mailinglist
list lists listserv majordomo listmanager owner subscribe digest ping
"""
PLATFORMS = """
google gmail microsoft apple amazon facebook instagram twitter linkedin youtube tiktok snapchat pinterest whatsapp
telegram slack zoom skype teams spotify soundcloud mixcloud bandcamp discord reddit twitch paypal stripe shopify
wordpress mailchimp hubspot salesforce zendesk
"""
MEDIA = """
radio radios station stations studio studios estudio studiohotline onair air live broadcast broadcasting
broadcaster transmission antenne antena music musik musique musica muziek muzyka musikk musikredaktion playlist
playlists programming programmes programs program programme programm programmation programacion programacao
programmazione programmering schedule schedules shows show presenters presenter hosts djs news newsdesk newsroom
nachrichten noticias nieuws notizie nyheter nyheder wiadomosci bulletins bulletin headlines sport sports deportes
esportes weather wetter traffic travel verkehr requests request dedications competitions competition contest
contests prizes giveaways winners listeners listener hoerer horer auditeurs oyentes ouvintes ascoltatori
luisteraars sluchacze audience fans fan talkback phonein textline text sms voicemail editorial editor editors
edit desk features feature reviews review submissions submission submit submit demos promotions tracks releases
records record label labels artists artist bands band gigs concerts concert tour booking agent agents publishing
publisher licensing library archive archives archiv podcast podcasts video videos tv film photo photos pictures
images content copy copywriting production productions produccion producao produzione producers producer imaging
jingles sound audio new newmusic musicdirector md pd apd specialist breakfast drivetime morning mornings evening
evenings afternoon afternoons late nights overnight weekend weekends culture cultura kultur kultura arts
entertainment lifestyle food drink recipes health fitness kids children youth family bibliotheque biblioteca
bibliothek bibliotek mediatheque museum gallery tourism redaktion redaccion redacao redazione redactie redakcja
journalism journalismus jornalismo periodismo giornalismo journalisme dziennikarstwo journalistiek
redaksjon redaction emission emissions sendung sendungen magazine magazin journal journalists journalist reporter
reporters correspondents stories story tips tip hotline replay replays rewind mix mixes sessions session
"""
GENERIC = """
all alle allemaal tous tout todos todas tutti tutto wszyscy iedereen everyone everybody whole folks people
company companies corp corporate corporation enterprise global international intl national natl regional region
regions local locals worldwide world north south east west central europe european emea apac americas 
africa oceania latam nordic nordics benelux dach uk gb usa eu france germany deutschland spain espana italy
italia portugal brasil brazil netherlands nederland belgium belgique belgie polska poland austria osterreich
switzerland schweiz suisse ireland scotland wales england canada mexico australia japan china nz misc
miscellaneous various other others stuff things fun home house general random office web
"""
# Other forms of the same functions in the Romance, Germanic and Slavic languages of a base.
FORMS = """
administrativo administrativa administrativos administratif administrative administrativ amministrativo
ingenieria engenharia ingegneria ingenierie ingenieur ingenieurs engineering tecnica tecnico tecnologia technologie
asistencia assistencia assistenza assistentie assistance atencao atencionalcliente clientes cliente kundendienst
protocolo protocollo protokoll produto producto prodotto produit produits produkt produkte producten produtos
productos prodotti directo direto diretta direct redaccao comercializacao comercializacion reservas reserva
reservations reservierung reservierungen rezerwacje rezervari prenotazioni prenotazione reserveringen
biglietteria taquilla bilheteria billetterie kartenverkauf tickets entradas ingressos boletos eventi evenementen
imprensa stampa rassegna medien presseabteilung pressestelle persdienst perszaken comunicados comunicado
financas contabil contabilidade tesoreria tesouraria tesoreria cobros pagamenti betalingen zahlungen rechnungswesen
compras acquisti achats einkauf inkoop zakupy ventas vendas vendite ventes verkoop vertrieb handel commerce
recursos humanos recursoshumanos risorseumane ressourceshumaines personalabteilung personeelszaken kadry
empleo trabajo trabalhe trabalheconosco lavoraconnoi rejoignez karriere stellen stellenangebote vacatures
soporte suporte supporto assistenzatecnica servicioalcliente atendimento sac ayuda ajuda aiuto hilfe pomoc
direccion direcao direzione directie direktion diretoria diretor diretora directora direttore gerencia gerencia
presidencia presidenza secretaria secretariado segreteria sekretariat secretariaat sekretarz recepcja recepcion
oficina escritorio ufficio bureau buero biuro kantoor noticias noticia notizie nachrichten nieuws informativo
deportes esportes sport sports cultura kultur cultuur musica musicale musical musik muziek programacao programacion
programmazione programmation programm programma programmering produccion producao produzione produktion productie
juridico juridica giuridico juridique rechtsabteilung recht legale privacidade privacidad datenschutz
calidad qualidade qualita qualite qualitaet kwaliteit compliance cumplimiento conformidade
"""
# Well-known abbreviations of functions, roles and mail machinery.
ABBREVIATIONS = """
sdr bdr csm cm ta tam ae am pmo kam vp evp svp avp gm cxo ciso dpo ea va ga rnd rd ra qc qa fbl isp nntp ldap vpn
mfa b2b b2c nps csat kpi okr roi seo sem ppc crm erp hris ats pos wms edi ftp sftp http https smtp imap pop pop3
dmarc dkim spf arf mta mx ns dns ipam noc soc sre iam sso cdn cms dam pim ops devsecops secops itops
hostmaster postmaster abuse ombudsman whois registrar onsite offsite site sites webinar webinars seminar seminars
otp rfp rfi rfq hackathon hackathons enablement enews ezine eshop estore consultas consulta consultation
consultations prefeitura municipio ayuntamiento comune gemeinde rathaus mairie city cityhall government govt
ordini ordine ordens bestellung bestellungen commandes commande comenzi zakaz zakazy zamowienie bestelling nyc ldn
workshop workshops conference conferences summit meetup meetups rsvp invite invites invitations calendar calendars
agenda minutes meeting meetings meet rooms room boardroom helpline infoline hotline freephone
"""
# Departments, machines, platforms and group names a role list also meets beyond radio work.
MORE = """
safeguarding wellbeing welfare diversity inclusion dei sustainability environment csr foundation charity
admissions enrolment enrollment exams innovation strategy transformation portfolio policy policies publicaffairs
affairs regulatory insurance rewards loyalty hospitality kitchen canteen cafe restaurant hotel venue venues rentals
lettings property properties legacy legacies gifts spares installations dispatch despatch transport fleet drivers
couriers mailroom printing reprographics creative insight insights intelligence foi compliments clientservices
resellers reseller distributors distribution dealers franchise speakers talks casting castings auditions scouting
anr clearance clearances sysop uucp usenet irc mysql postgres oracle nginx apache jenkins bamboo sonar nagios zabbix
grafana prometheus sentry pagerduty opsgenie statuspage heartbeat uat prod trial trials beta betas alpha alphas
preview earlyaccess waitlist activation activate reset tracking survey surveys poll polls usability office365
gsuite workspace azure aws heroku vercel netlify cloudflare godaddy namecheap ionos ovh hetzner digitalocean
dropbox wetransfer docusign adobe canva figma notion trello asana clickup atlassian confluence bitbucket
woocommerce magento ebay etsy netflix itunes appstore googleplay webex gotomeeting calendly doodle intercom
freshdesk sendgrid mailgun postmark sparkpost mandrill constantcontact klaviyo marketo pardot eloqua heroes ninjas
rockstars wizards gurus geeks nerds champions advocates insiders vips friends tribe squad guild alliance
collective coop cooperative institute center centre factory hub hubs announce announcements discuss devel commits
consulting consultancy consultant consultants consultoria asesoria assessoria beratung conseil auditoria advisory
"""
# Short words that only count beside a longer role word ('hrdept', 'itsupport', 'classof2017').
SHORT = _words("hr it pr bd ux ui qa cs cx hq ir md pd pa ad ap ar tv fm bi ai db hs eu uk us gb nz pm ci ml os "
               "no do de la le el of to in on at by my our the and for you your us es et und y e i get")
GLUE = _words("of the and for to us our my your de la le el les des du der die das den het van y e et und i no "
              "not do dont at in on by with from get you es")
VOCABULARY = _words(CONTACT, ADMIN, PEOPLE, FINANCE, LEGAL, SALES, SUPPORT, TECH, PLATFORMS, MEDIA, GENERIC,
                    FORMS, ABBREVIATIONS, MORE)
# Any of these in a mailbox name makes it a machine or role mailbox ('looker-studio-noreply', 'alerts-noreply').
MARKERS = _words("noreply donotreply mailer daemon postmaster webmaster hostmaster abuse notifications unsubscribe "
                 "bounces autoreply")
# Role suffixes: 'kink-team', 'fluxinfo', 'radio1-desk' name a function whatever comes before them.
SUFFIXES = _words("team teams dept desk office info crew staff group hq admin support noreply inbox list mail "
                  "alerts alert notify notifications reports billing "
                  "request requests owner bounces users announce")  # and the mailing-list ones: 'radio-users'
# The suffixes that make a role of a single run-together word whatever comes first ('sfoffice', 'ukteam').
STRONG_SUFFIXES = ("office", "team", "desk", "dept", "info", "support", "admin", "crew", "staff", "noreply", "inbox")
