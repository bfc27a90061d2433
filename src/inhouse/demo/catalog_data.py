"""What the demo company looks like: offices, departments, teams, services and agreements.

Plain data, so the shape of the demo can be read (and changed) without reading
the code that builds it. Text templates use ``{placeholders}`` filled from
``FILLERS``; one set of filler values is drawn per request, so its subject,
description, form answers and comments all talk about the same thing.
"""

from dataclasses import dataclass, field

F = dict  # one form field, as accepted by catalog.models.FormField

BERLIN, NEW_YORK, SINGAPORE, AROUND_THE_CLOCK = (
    "Berlin office", "New York office", "Singapore office", "Around the clock",
)  # fmt: skip


@dataclass(frozen=True)
class Office:
    calendar: str
    timezone: str
    hours: tuple[tuple[str, str], ...]
    holiday_country: str
    holiday_subdivision: str


OFFICES = (
    Office(BERLIN, "Europe/Berlin", (("09:00", "12:30"), ("13:30", "17:30")), "DE", "BE"),
    Office(NEW_YORK, "America/New_York", (("09:00", "17:00"),), "US", "NY"),
    Office(SINGAPORE, "Asia/Singapore", (("09:00", "18:00"),), "SG", ""),
)


@dataclass(frozen=True)
class TeamSpec:
    name: str
    slug: str
    prefix: str
    staff: int  # people besides the lead
    agents: int  # how many of the staff work the queue; 0 for teams that provide no service
    offices: tuple[tuple[str, float], ...] = ((BERLIN, 1.0),)  # the first is the team's home
    targets: str = "considered"  # a key of TARGET_SETS, for the team's default agreement


@dataclass(frozen=True)
class DepartmentSpec:
    name: str
    slug: str
    prefix: str
    teams: tuple[TeamSpec, ...]
    serves_external_customers: bool = False


DEPARTMENTS: tuple[DepartmentSpec, ...] = (
    DepartmentSpec("Executive Office", "executive", "EXE", (TeamSpec("Leadership", "leadership", "LDR", 0, 0),)),
    DepartmentSpec("IT", "it", "ITD", (
        TeamSpec("IT Service Desk", "it-service-desk", "IT", 9, 5, ((BERLIN, 0.6), (NEW_YORK, 0.25), (SINGAPORE, 0.15)), "standard"),
        TeamSpec("Infrastructure", "infrastructure", "INF", 6, 4, targets="standard"),
        TeamSpec("Identity & Access", "identity-access", "IAM", 4, 3, targets="standard"),
    )),
    DepartmentSpec("HR", "hr", "HRD", (
        TeamSpec("People Partners", "people-partners", "HR", 5, 4, ((BERLIN, 0.8), (NEW_YORK, 0.2))),
        TeamSpec("Recruiting", "recruiting", "REC", 5, 4, ((BERLIN, 0.7), (NEW_YORK, 0.3)), "long"),
        TeamSpec("Payroll", "payroll", "PAY", 3, 2),
    )),
    DepartmentSpec("Finance", "finance", "FND", (
        TeamSpec("Controlling", "controlling", "FIN", 6, 3),
        TeamSpec("Accounts Payable", "accounts-payable", "AP", 4, 3, ((SINGAPORE, 0.75), (BERLIN, 0.25))),
    )),
    DepartmentSpec("Facilities", "facilities", "FCD", (
        TeamSpec("Workplace", "workplace", "FAC", 6, 4, ((BERLIN, 0.7), (NEW_YORK, 0.2), (SINGAPORE, 0.1)), "quick"),
        TeamSpec("Security", "security", "SEC", 4, 2, targets="quick"),
    )),
    DepartmentSpec("Marketing", "marketing", "MKD", (
        TeamSpec("Campaigns", "campaigns", "MKT", 10, 3, ((BERLIN, 0.6), (NEW_YORK, 0.4))),
        TeamSpec("Events", "events", "EVT", 4, 3),
    )),
    DepartmentSpec("Design", "design", "DSD", (TeamSpec("Brand Design", "brand-design", "DES", 7, 5),)),
    DepartmentSpec("Sales", "sales", "SLD", (
        TeamSpec("Sales EMEA", "sales-emea", "SAL", 20, 4, ((BERLIN, 0.85), (SINGAPORE, 0.15))),
        TeamSpec("Sales Americas", "sales-americas", "SAM", 14, 0, ((NEW_YORK, 1.0),)),
    ), serves_external_customers=True),
    DepartmentSpec("Customer Support", "customer-support", "SPD", (
        TeamSpec("Support Tier 1", "support-tier-1", "CS", 20, 0, ((BERLIN, 0.5), (SINGAPORE, 0.3), (NEW_YORK, 0.2))),
        TeamSpec("Support Tier 2", "support-tier-2", "SUP", 8, 5, ((BERLIN, 0.7), (NEW_YORK, 0.3)), "standard"),
    ), serves_external_customers=True),
    DepartmentSpec("Legal", "legal", "LGD", (
        TeamSpec("Commercial Legal", "commercial-legal", "LEG", 5, 4),
        TeamSpec("Privacy & Compliance", "privacy-compliance", "PRV", 3, 2),
    )),
    DepartmentSpec("Operations", "operations", "OPD", (
        TeamSpec("Supply Chain", "supply-chain", "OPS", 9, 3),
        TeamSpec("Logistics", "logistics", "LOG", 8, 4, ((SINGAPORE, 0.6), (BERLIN, 0.4)), "quick"),
    )),
)  # fmt: skip

# Targets per priority: (first response, resolution) in business minutes. A working day is 8 hours.
TARGET_SETS: dict[str, dict[str, tuple[int, int]]] = {
    "standard": {"urgent": (30, 240), "high": (60, 480), "normal": (240, 1440), "low": (480, 4800)},
    "quick": {"urgent": (15, 120), "high": (30, 240), "normal": (120, 960), "low": (240, 2400)},
    "considered": {
        "urgent": (60, 480),
        "high": (240, 960),
        "normal": (480, 2400),
        "low": (960, 4800),
    },
    "long": {
        "urgent": (240, 2400),
        "high": (480, 4800),
        "normal": (960, 9600),
        "low": (1440, 19200),
    },
}


@dataclass(frozen=True)
class AgreementSpec:
    """An agreement beyond the provider team's default one for everyone."""

    name: str
    team: str
    targets: dict[str, tuple[int, int]]
    service: str = ""  # a service slug; empty for the whole team
    customer_team: str = ""  # a team slug; empty for everyone
    calendar: str = BERLIN
    obligations: tuple[str, ...] = ()
    obligations_note: str = ""


AGREEMENTS: tuple[AgreementSpec, ...] = (
    AgreementSpec("Network incidents, around the clock", "infrastructure",
        {"urgent": (15, 120), "high": (30, 240), "normal": (120, 960), "low": (480, 2880)},
        service="network-problem", calendar=AROUND_THE_CLOCK),
    AgreementSpec("IT Service Desk for Customer Support", "it-service-desk",
        {"urgent": (15, 120), "high": (30, 240), "normal": (120, 960), "low": (480, 2880)},
        customer_team="customer-support",
        obligations_note="Support agents cannot help customers while their tools are down, so they come first."),
    AgreementSpec("Budget approvals", "controlling",
        {"urgent": (60, 480), "high": (240, 960), "normal": (480, 2400), "low": (960, 4800)},
        service="budget-approval"),
    AgreementSpec("Recruitment", "recruiting",
        {"urgent": (240, 4800), "high": (480, 9600), "normal": (960, 14400), "low": (1440, 19200)},
        service="open-position", obligations=("start_date",),
        obligations_note="Give a desired start date so we can plan the search backwards from it."),
    AgreementSpec("Cleaning", "workplace",
        {"urgent": (15, 60), "high": (30, 120), "normal": (60, 480), "low": (240, 960)},
        service="cleaning"),
    AgreementSpec("Marketing materials for Sales", "brand-design",
        {"urgent": (30, 480), "high": (60, 960), "normal": (120, 1440), "low": (480, 2880)},
        service="sales-materials", customer_team="sales", obligations=("deal",),
        obligations_note="Name the deal or account so Design can tailor the material."),
    AgreementSpec("Contract review for Sales", "commercial-legal",
        {"urgent": (60, 480), "high": (120, 960), "normal": (240, 2400), "low": (480, 4800)},
        service="contract-review", customer_team="sales", obligations=("value",),
        obligations_note="State the contract value: it decides who has to sign off."),
)  # fmt: skip


@dataclass(frozen=True)
class Ask:
    """One way of asking for a service: the subject, the body of the description, and the
    form answers they imply (so a subject about the server room asks for the server room)."""

    subject: str
    detail: str
    answers: dict = field(default_factory=dict)


@dataclass(frozen=True)
class ServiceSpec:
    team: str
    slug: str
    name: str
    category: str
    description: str
    asks: tuple[Ask, ...]
    fields: tuple[F, ...] = ()
    weight: int = 10  # how often it is asked for, relative to the other services
    asked_by_leads: bool = False  # mostly asked for by team leads and heads
    frequent_customers: tuple[str, ...] = ()  # department slugs that ask far more than others
    serves_outcomes: bool = False  # often done for a customer deal or case
    # What an agent asks when something is missing, and what the requester answers.
    questions: tuple[tuple[str, str], ...] = ()
    resolutions: tuple[str, ...] = ()
    transfer_to: str = ""  # the service its requests are sometimes handed on to
    confidential: bool = False
    visible_to_teams: tuple[str, ...] = ()
    visible_to_kinds: tuple[str, ...] = ()
    default_priority: str = "normal"
    # A catalog.models.PriorityFrom value: incidents ask impact and urgency (the ITIL matrix).
    priority_from: str = "default"
    # The standard fields it asks, when not the usual ones (see ``standard_fields``).
    only_asks: tuple[str, ...] | None = None

    @property
    def standard_fields(self) -> tuple[str, ...]:
        """For whom and on behalf of which team; the external reference too where the
        work is often done for a customer deal or case."""
        if self.only_asks is not None:
            return self.only_asks
        usual = ("customer_team", "requester")
        return (*usual, "external_ref") if self.serves_outcomes else usual


CHOICE, MULTI, TEXT, LONG, NUMBER, DATE, PERSON, TEAM, FILE = (
    "choice", "multi_choice", "text", "long_text", "number", "date", "person", "team", "file",
)  # fmt: skip
APPLICATIONS = ["Figma", "Salesforce", "Jira", "Adobe Creative Cloud", "Tableau", "GitHub", "Miro", "DocuSign"]  # fmt: skip
LAPTOPS = ["MacBook Pro 14", "MacBook Air 13", "ThinkPad X1 Carbon", "Dell XPS 15"]
A = Ask  # short, for the long table below

SERVICES: tuple[ServiceSpec, ...] = (
    # --- IT ------------------------------------------------------------------------------------
    ServiceSpec("it-service-desk", "software-access", "Software access", "support",
        "Get access to an application the company licenses.",
        (A("Access to {app}", "I need access to {app} for the {project} project. An editor seat would be great, view-only is not enough.", {"application": "{app}"}),
         A("{app} licence for the {project} project", "Our team started using {app} for {project} and I'm the only one without an account.", {"application": "{app}"}),
         A("Need {app} for {customer} work", "Could you add me to {app}? My manager already agreed; the licence goes to cost center {cost_center}.", {"application": "{app}"})),
        (F(key="application", label="Application", kind=CHOICE, required=True, choices=APPLICATIONS),
         F(key="justification", label="Why do you need it?", kind=LONG, required=True),
         F(key="needed_by", label="Needed by", kind=DATE)),
        weight=40, serves_outcomes=True,
        questions=(("Which licence tier do you need: viewer or editor?", "Editor, please."),
                   ("Is this for a limited time or permanent?", "Permanent; it is part of my job now.")),
        resolutions=("You now have an editor seat in {app}. Sign in with your company account.",
                     "{app} access granted; the invite is in your inbox."),
        transfer_to="access-rights"),
    ServiceSpec("it-service-desk", "printer-configuration", "Printer configuration", "support",
        "Set up or fix a printer on your laptop.",
        (A("Cannot print to the {floor} floor printer", "Since this morning my laptop cannot find the printer on the {floor} floor; others near {room} have the same problem."),
         A("Print jobs stuck near {room}", "Print jobs to the printer next to {room} get stuck in the queue with {error}."),
         A("Scan to email stopped working", "The scanner next to {room} no longer sends scans to my email.")),
        (F(key="printer", label="Printer name or location", kind=TEXT, required=True),
         F(key="operating_system", label="Your laptop", kind=CHOICE, choices=["macOS", "Windows"])),
        priority_from="impact_urgency", weight=14, questions=(("Could you send a photo of the message on the printer's display?", "Photo attached."),),
        resolutions=("The printer had lost its network address; it is back and your queue is cleared.",
                     "Reinstalled the driver remotely. Please try again and reopen if it fails."),
        transfer_to="network-problem"),
    ServiceSpec("it-service-desk", "password-reset", "Password reset", "support",
        "Locked out or forgot your password.",
        (A("Locked out of my account", "I'm locked out after too many attempts and have a customer call in an hour.", {"system": "Company account (SSO)"}),
         A("Password expired while travelling", "My password expired while I was in {city} and the VPN will not let me change it.", {"system": "VPN"}),
         A("Lost my MFA device", "I got a new phone and the authenticator app did not move over.", {"system": "Company account (SSO)"}),
         A("Salesforce says my password is wrong", "Salesforce rejects my password although I changed it yesterday.", {"system": "Salesforce"})),
        (F(key="system", label="Which account", kind=CHOICE, required=True,
           choices=["Company account (SSO)", "Email", "Salesforce", "VPN"]),
         F(key="reachable_at", label="Phone number we can call", kind=TEXT)),
        weight=24, default_priority="high",
        questions=(("Please call the service desk so we can verify it's you.", "Just called, thanks."),),
        resolutions=("Password reset; you'll be asked to choose a new one at the next sign-in.",
                     "MFA re-enrolled. Scan the new code from the link we sent you."),
        transfer_to="access-rights"),
    ServiceSpec("it-service-desk", "new-laptop", "New laptop", "support",
        "A laptop for a new colleague or a replacement for a broken one.",
        (A("Laptop for a new joiner in {my_team}", "We have a new {role} starting soon and need a {laptop} ready on day one.", {"model": "{laptop}"}),
         A("Replacement laptop: battery failing", "My laptop's battery lasts under an hour and it shuts down during calls.", {"model": "{laptop}"}),
         A("Laptop for our new {role}", "Please prepare a {laptop} with the usual {my_team} setup.", {"model": "{laptop}"})),
        (F(key="model", label="Model", kind=CHOICE, required=True, choices=LAPTOPS),
         F(key="for_person", label="For whom", kind=PERSON),
         F(key="needed_by", label="Needed by", kind=DATE, required=True)),
        weight=12, questions=(("Does the new colleague need a second screen and a headset too?", "Yes, both please."),),
        resolutions=("The {laptop} is set up and waiting at the service desk; pick it up any time.",
                     "Laptop delivered to your desk, the old one wiped and collected.")),
    ServiceSpec("it-service-desk", "hardware-repair", "Hardware repair", "support",
        "Broken screens, keyboards, docks and headsets.",
        (A("Screen flickers on my {laptop}", "The screen of my {laptop} flickers and sometimes goes black.", {"device": "Laptop"}),
         A("Docking station near {room} broken", "The docking station at the hot desks near {room} no longer charges laptops.", {"device": "Docking station"}),
         A("Headset microphone not working", "People cannot hear me in calls; the headset works on my phone.", {"device": "Headset"})),
        (F(key="device", label="Device", kind=CHOICE, required=True, choices=["Laptop", "Docking station", "Monitor", "Headset", "Keyboard or mouse"]),
         F(key="asset_tag", label="Asset tag", kind=TEXT)),
        priority_from="impact_urgency", weight=10, resolutions=("Swapped it for a working one; the faulty one goes back to the vendor.",
                                "Repaired and tested. Your data was not affected.")),
    ServiceSpec("it-service-desk", "mobile-phone", "Mobile phone", "support",
        "A company phone or a new SIM.",
        (A("Company phone for customer visits", "I'll be visiting customers in {city} a lot and need a company phone with a data plan.", {"kind": "New phone"}),
         A("eSIM for travel to {city}", "I'm travelling to {city} next month; can I get an eSIM with a data plan there?", {"kind": "SIM or eSIM"}),
         A("Replace cracked phone", "My phone screen cracked and the touch screen no longer responds.", {"kind": "Replacement"})),
        (F(key="kind", label="What do you need", kind=CHOICE, required=True, choices=["New phone", "Replacement", "SIM or eSIM"]),),
        weight=6, resolutions=("Your phone is ready at the service desk.", "The eSIM profile is in your inbox.")),
    ServiceSpec("infrastructure", "network-problem", "Network problem", "support",
        "Wi-Fi or wired network not working, anywhere in the company.",
        (A("Wi-Fi drops in meeting room {room}", "The Wi-Fi in {room} drops every few minutes, which kills every video call there.", {"affected": "The whole floor"}),
         A("Slow network on the {floor} floor", "Everyone on the {floor} floor has very slow internet since this morning.", {"affected": "The whole floor"}),
         A("No network at the {office_city} office", "Nothing works in the {office_city} office: no Wi-Fi, no wired network.", {"affected": "The whole office"}),
         A("My desk has no network", "The network socket at my desk stopped working; Wi-Fi is fine.", {"affected": "Only me"})),
        (F(key="location", label="Where", kind=TEXT, required=True),
         F(key="affected", label="Who is affected", kind=CHOICE, required=True, choices=["Only me", "My team", "The whole floor", "The whole office"]),
         F(key="since", label="Since when", kind=DATE)),
        priority_from="impact_urgency", weight=16, frequent_customers=("customer-support",),
        questions=(("Does it happen with a cable too, or only on Wi-Fi?", "Only on Wi-Fi; with a cable it works."),),
        resolutions=("An access point had failed; it has been replaced.",
                     "The uplink switch was overloaded. Traffic is rebalanced and we are monitoring it.")),
    ServiceSpec("infrastructure", "vpn-access", "VPN access", "support",
        "Remote access to the company network.",
        (A("VPN access for remote work from {city}", "I'll be working from {city} for a few weeks and need VPN access.", {"reason": "Remote work"}),
         A("VPN profile for our partner {vendor}", "Our partner {vendor} needs temporary VPN access for the {project} project.", {"reason": "External partner"}),
         A("VPN keeps disconnecting", "The VPN disconnects every hour and I lose my session in Salesforce.", {"reason": "Connection problem"})),
        (F(key="reason", label="Reason", kind=CHOICE, required=True, choices=["Remote work", "Travel", "External partner", "Connection problem"]),
         F(key="until", label="Needed until", kind=DATE)),
        weight=8, resolutions=("VPN profile issued; install it with the guide we sent.",),
        transfer_to="access-rights"),
    ServiceSpec("identity-access", "access-rights", "Access rights change", "support",
        "Add or remove access to shared drives, groups and systems.",
        (A("Add me to the {team} shared drive", "Please add me to the {team} shared drive; I am taking over {project}.", {"change": "Add access", "system": "{team} shared drive"}),
         A("Remove access for a leaver", "A colleague left last Friday; please remove their access to {app} and the shared drives.", {"change": "Remove access", "system": "{app}"}),
         A("Group membership for {project}", "The {project} group needs read access to the finance share.", {"change": "Add access", "system": "The finance share"})),
        (F(key="system", label="System or drive", kind=TEXT, required=True),
         F(key="change", label="Change", kind=CHOICE, required=True, choices=["Add access", "Remove access", "Change role"]),
         F(key="approver", label="Approving manager", kind=PERSON, required=True)),
        weight=14, resolutions=("Access changed as requested; it can take 15 minutes to show up.",
                                "Done, and your manager has been informed.")),
    # --- HR -------------------------------------------------------------------------------------
    ServiceSpec("people-partners", "benefits-question", "Benefits question", "support",
        "Questions about pension, health insurance, leave or other benefits.",
        (A("Question about my pension contribution", "Could you tell me how the company pension contribution is calculated?", {"topic": "Pension"}),
         A("How many leave days do I have left?", "The leave planner shows fewer days than I expected for this year.", {"topic": "Leave"}),
         A("Health insurance for my partner", "Can my partner join the company health insurance, and what does it cost?", {"topic": "Health insurance"}),
         A("Bike leasing", "Does the company still offer bike leasing, and how do I sign up?", {"topic": "Bike leasing"})),
        (F(key="topic", label="Topic", kind=CHOICE, required=True, choices=["Pension", "Health insurance", "Leave", "Bike leasing", "Other"]),),
        weight=12, questions=(("Which year are you asking about?", "This year, please."),),
        resolutions=("I've sent you the details by email.", "The form is attached; send it back signed and we'll do the rest."),
        transfer_to="payroll-question"),
    ServiceSpec("people-partners", "conflict-mediation", "Workplace conflict mediation", "support",
        "Confidential help with a conflict at work. Only you and HR's people partners see it.",
        (A("Need to talk about a conflict in my team", "There is tension in my team that I would like to talk about confidentially."),
         A("Request for mediation", "I would like a mediated conversation with a colleague; we have tried to sort it out ourselves."),
         A("Concern about behaviour in a meeting", "Something happened in a meeting last week that I am not comfortable with.")),
        (F(key="summary", label="What happened", kind=LONG, required=True),
         F(key="preferred_contact", label="How should we reach you?", kind=CHOICE, choices=["In person", "Video call", "Phone"])),
        # A confidential case asks nothing beyond its form (an HR agent may file for someone).
        weight=2, confidential=True, only_asks=("requester",),
        questions=(("Would Tuesday or Thursday afternoon suit you for a first conversation?", "Thursday afternoon, please."),),
        resolutions=("Thank you for the conversations. As agreed, we'll check in again in a month.",)),
    ServiceSpec("people-partners", "parental-leave", "Parental leave", "support",
        "Plan parental leave and your return.",
        (A("Planning parental leave from {month}", "I'm planning parental leave from {month} and would like to understand the process."),
         A("Return from parental leave in {month}", "I'm coming back from parental leave in {month} and would like to discuss part-time options.")),
        (F(key="start_date", label="Start date", kind=DATE, required=True),
         F(key="weeks", label="Weeks", kind=NUMBER, min_value=1, max_value=104)),
        weight=3, resolutions=("Your leave is registered; payroll and your manager are informed.",)),
    ServiceSpec("people-partners", "reference-letter", "Reference letter", "support",
        "A reference letter or employment certificate.",
        (A("Employment certificate for a visa", "I need an employment certificate for my visa application, in English.", {"letter": "Employment certificate", "language": "English"}),
         A("Interim reference letter", "Could I get an interim reference letter? My role changed this year.", {"letter": "Interim reference"}),
         A("Certificate for a rental application", "My landlord asks for an employment certificate.", {"letter": "Employment certificate"})),
        (F(key="letter", label="Letter", kind=CHOICE, required=True, choices=["Employment certificate", "Interim reference", "Final reference"]),
         F(key="language", label="Language", kind=CHOICE, required=True, choices=["English", "German"])),
        weight=3, resolutions=("The signed letter is attached.",)),
    ServiceSpec("recruiting", "open-position", "Recruitment for an open position", "management",
        "Start hiring for an approved position.",
        (A("Hire a {role}", "We have budget for a {role} in {my_team}; the job description is in the shared drive.", {"headcount": 1}),
         A("Backfill for our {role}", "Our {role} is leaving at the end of {month} and we need a backfill.", {"headcount": 1}),
         A("Two {role}s for {my_team}", "The {project} project needs two more people; the headcount is approved.", {"headcount": 2})),
        (F(key="role_title", label="Role title", kind=TEXT, required=True),
         F(key="team", label="Team", kind=TEAM, required=True),
         F(key="headcount", label="Headcount", kind=NUMBER, required=True, min_value=1),
         F(key="start_date", label="Desired start date", kind=DATE),
         F(key="job_description", label="Job description", kind=FILE)),
        weight=6, asked_by_leads=True,
        questions=(("Who should sit on the interview panel besides you?", "Two people from my team; I'll send the names."),),
        resolutions=("Offer signed: the new {role} starts on the date we agreed.",
                     "The position is filled; thank you for the quick interview feedback.")),
    ServiceSpec("payroll", "payroll-question", "Payroll question", "support",
        "Questions about your payslip, overtime or tax forms.",
        (A("Overtime missing from my payslip", "My overtime from {month} is not on the payslip.", {"topic": "Overtime", "month": "{month}"}),
         A("Tax form for last year", "I need last year's annual tax statement for my tax return.", {"topic": "Tax forms"}),
         A("Change of bank details", "I changed banks; my new IBAN is in the attached form.", {"topic": "Bank details"})),
        (F(key="topic", label="Topic", kind=CHOICE, required=True, choices=["Payslip", "Overtime", "Tax forms", "Bank details"]),
         F(key="month", label="Which month", kind=TEXT)),
        weight=6, resolutions=("Corrected; the difference comes with the next salary.",
                               "Done; you'll find it in the payroll portal."),
        transfer_to="benefits-question"),
    # --- Finance --------------------------------------------------------------------------------
    ServiceSpec("controlling", "budget-approval", "Budget approval", "management",
        "Approval for spending beyond your team's budget.",
        (A("Budget for {event}", "We'd like to take part in {event}; the total is above our team budget."),
         A("Extra budget for {app} licences", "We need more {app} licences than planned for {project}."),
         A("Approve agency spend for {project}", "Asking approval for agency support on {project}; quotes are attached.")),
        (F(key="amount", label="Amount (EUR)", kind=NUMBER, required=True, min_value=0),
         F(key="cost_center", label="Cost center", kind=TEXT, required=True),
         F(key="justification", label="Justification", kind=LONG, required=True)),
        weight=7, asked_by_leads=True, frequent_customers=("marketing", "sales"),
        questions=(("Can part of this move to next quarter's budget?", "About a third could, yes."),
                   ("Which quote did you choose, and why?", "The second one: same scope, faster delivery.")),
        resolutions=("Approved. The budget is released on cost center {cost_center}.",
                     "Approved at a reduced amount, as discussed.")),
    ServiceSpec("controlling", "expense-question", "Expense question", "support",
        "Questions about expense claims and travel costs.",
        (A("Is this hotel in {city} within policy?", "The hotel near the customer in {city} costs more than the policy allows. Is that acceptable?"),
         A("Expense claim rejected", "My expense claim for the trip to {city} was rejected without a reason."),
         A("Per diem for {city}", "What is the per diem for a three-day trip to {city}?")),
        (F(key="claim", label="Claim number", kind=TEXT),),
        weight=8, resolutions=("That is fine this time; mention the customer meeting in the claim.",
                               "The claim is approved now; it was missing a receipt."),
        transfer_to="vendor-payment"),
    ServiceSpec("controlling", "board-reporting", "Board reporting", "management",
        "Figures and background for board meetings. Board members only.",
        (A("Quarterly numbers for the board", "Ahead of the board meeting, could you prepare the quarterly numbers by region?"),
         A("Background for the strategy session", "For the strategy session, I'd like the cost development of the last two years.")),
        (F(key="meeting_date", label="Board meeting", kind=DATE, required=True),),
        weight=1, visible_to_kinds=("board_member",),
        resolutions=("The board pack is attached.",)),
    ServiceSpec("accounts-payable", "vendor-payment", "Vendor payment", "support",
        "Pay a supplier invoice.",
        (A("Invoice from {vendor} overdue", "{vendor} sent a reminder; the invoice is approved and attached."),
         A("Pay {vendor} invoice", "Please pay the attached invoice from {vendor}; it's for {project}."),
         A("{vendor} says payment is missing", "{vendor} says they have not received last month's payment.")),
        (F(key="vendor", label="Vendor", kind=TEXT, required=True),
         F(key="amount", label="Amount (EUR)", kind=NUMBER, required=True, min_value=0),
         F(key="invoice", label="Invoice", kind=FILE)),
        weight=8, frequent_customers=("operations", "marketing"),
        questions=(("The invoice has no purchase order number; which PO does it belong to?", "It belongs to PO-{cost_center}."),),
        resolutions=("Paid today; the remittance advice went to {vendor}.",
                     "Payment is scheduled for the next run on Friday.")),
    ServiceSpec("accounts-payable", "purchase-order", "Purchase order", "support",
        "Raise a purchase order before buying.",
        (A("PO for {vendor}", "Please raise a PO for {vendor}; the quote is approved by my manager."),
         A("Purchase order for the {event} booth", "We need a purchase order for the booth at {event}.")),
        (F(key="vendor", label="Vendor", kind=TEXT, required=True),
         F(key="amount", label="Amount (EUR)", kind=NUMBER, required=True, min_value=0),
         F(key="cost_center", label="Cost center", kind=TEXT, required=True)),
        weight=5, frequent_customers=("operations",),
        resolutions=("PO raised and sent to {vendor}.",)),
    # --- Facilities -----------------------------------------------------------------------------
    ServiceSpec("workplace", "cleaning", "Cleaning", "support",
        "Spills, restrooms, kitchens and meeting rooms.",
        (A("Coffee spilled in room {room}", "Someone spilled coffee on the carpet in {room}."),
         A("Kitchen on the {floor} floor needs cleaning", "The kitchen on the {floor} floor was not cleaned after yesterday's team event."),
         A("Restroom supplies empty", "The restroom on the {floor} floor is out of soap and paper.")),
        (F(key="location", label="Where", kind=TEXT, required=True),),
        weight=10, resolutions=("Cleaned. Thanks for letting us know.",)),
    ServiceSpec("workplace", "meeting-room-setup", "Meeting room setup", "support",
        "Furniture, catering or AV for a meeting.",
        (A("Room setup for the all-hands", "For the all-hands we need the chairs rearranged and two microphones.", {"setup": ["Microphones", "Extra chairs"]}),
         A("Catering for the {customer} visit", "We are hosting {customer} in {room} and need coffee, lunch and the big screen.", {"setup": ["Catering", "Projector"]}),
         A("Projector for the board meeting", "The board meets in {room}; please make sure the projector works.", {"setup": ["Projector"]})),
        (F(key="date", label="Date", kind=DATE, required=True),
         F(key="attendees", label="Attendees", kind=NUMBER, min_value=1),
         F(key="setup", label="Setup", kind=MULTI, choices=["Catering", "Projector", "Microphones", "Extra chairs"])),
        weight=6, frequent_customers=("sales",), serves_outcomes=True,
        resolutions=("The room is set up as requested.",), transfer_to="event-support"),
    ServiceSpec("workplace", "desk-move", "Desk move", "support",
        "Move desks and equipment.",
        (A("{my_team} moving to the {floor} floor", "Our team is moving to the {floor} floor; we need the desks and monitors moved."),
         A("Standing desk request", "My doctor recommends a standing desk; the note is attached.", {"people": 1})),
        (F(key="people", label="How many people", kind=NUMBER, required=True, min_value=1),
         F(key="move_date", label="Move date", kind=DATE)),
        weight=4, resolutions=("Desks are moved and monitors connected.",)),
    ServiceSpec("workplace", "transport", "Transport and parking", "support",
        "Parking permits, shuttles and bike spaces.",
        (A("Parking permit", "I'd like a parking permit for the garage; I commute from outside {office_city}.", {"need": "Parking permit"}),
         A("Shuttle for the offsite", "We need a shuttle for 30 people to the offsite venue.", {"need": "Shuttle"}),
         A("Bike space in the garage", "Are there bike spaces left in the garage?", {"need": "Bike space"})),
        (F(key="need", label="What do you need", kind=CHOICE, required=True, choices=["Parking permit", "Shuttle", "Bike space"]),),
        weight=3, resolutions=("All set; details are in your inbox.",)),
    ServiceSpec("security", "security-badge", "Security badge", "support",
        "A new or replacement badge, or access to restricted areas.",
        (A("Badge for a new colleague", "A new colleague starts soon and needs a badge for the office.", {"areas": ["Office"]}),
         A("Lost my badge", "I lost my badge on the way home yesterday; please block it.", {"areas": ["Office"]}),
         A("Access to the server room", "I need access to the server room for the {project} work.", {"areas": ["Server room"]}),
         A("Warehouse access for the stock count", "I'm helping with the stock count and need access to the warehouse.", {"areas": ["Warehouse"]})),
        (F(key="for_person", label="For whom", kind=PERSON),
         F(key="areas", label="Areas", kind=MULTI, required=True, choices=["Office", "Server room", "Warehouse", "Lab"])),
        weight=8, resolutions=("The badge is ready at reception.", "Done: your badge now opens it.")),
    # --- Marketing and Design -------------------------------------------------------------------
    ServiceSpec("campaigns", "campaign-brief", "Campaign brief", "primary",
        "Marketing support for a product launch or campaign.",
        (A("Launch campaign for {product}", "{product} launches next quarter and Sales would like a campaign aimed at existing customers.", {"channels": ["Email", "Web"]}),
         A("Newsletter feature on {customer}", "Could the next newsletter feature {customer}'s success with {product}?", {"channels": ["Email"]}),
         A("Social campaign for the {feature} release", "The {feature} release is a good story for social media.", {"channels": ["Social"]})),
        (F(key="goal", label="Goal", kind=LONG, required=True),
         F(key="launch_date", label="Launch date", kind=DATE),
         F(key="channels", label="Channels", kind=MULTI, choices=["Email", "Social", "Web", "Events"])),
        weight=5, frequent_customers=("sales",), serves_outcomes=True,
        resolutions=("The campaign is live; the first results are in the dashboard.",)),
    ServiceSpec("events", "event-support", "Event support", "primary",
        "Booths, material and logistics for trade fairs and customer events.",
        (A("Booth at {event}", "We'd like a booth at {event}; three people from Sales will staff it.", {"event_name": "{event}"}),
         A("Customer dinner in {city}", "We are inviting our top customers in {city} to a dinner and need help organising it.", {"event_name": "Customer dinner {city}"})),
        (F(key="event_name", label="Event", kind=TEXT, required=True),
         F(key="event_date", label="Date", kind=DATE, required=True),
         F(key="attendees", label="Expected attendees", kind=NUMBER, min_value=1)),
        weight=4, frequent_customers=("sales",), serves_outcomes=True,
        resolutions=("Everything is booked; the briefing document is attached.",)),
    ServiceSpec("brand-design", "sales-materials", "Marketing materials for Sales", "primary",
        "Decks, one-pagers and visuals that Sales shows customers.",
        (A("One-pager for {customer}", "We are pitching {product} to {customer} and need a tailored one-pager.", {"formats": ["PDF one-pager"]}),
         A("Deck update for {product}", "The {product} deck still shows last year's pricing slide; please update it before the {customer} meeting.", {"formats": ["Slide deck"]}),
         A("Case study layout for {customer}", "{customer} agreed to a case study; the text is approved and needs a layout.", {"formats": ["PDF one-pager", "Print"]})),
        (F(key="due_date", label="Due date", kind=DATE, required=True),
         F(key="formats", label="Formats", kind=MULTI, required=True, choices=["Slide deck", "PDF one-pager", "Print", "Social"]),
         F(key="deal", label="Deal or account", kind=TEXT)),
        weight=10, frequent_customers=("sales",), serves_outcomes=True,
        questions=(("Do you have the customer's logo in a vector format?", "Attached as SVG."),),
        resolutions=("Final files are attached, in the formats you asked for.",
                     "Here is the material for {customer}. Good luck with the pitch!")),
    ServiceSpec("brand-design", "presentation-design", "Presentation design", "support",
        "Polish an internal or board presentation.",
        (A("Board deck polish", "The board deck is drafted; could you make it consistent with the brand?"),
         A("All-hands slides", "The all-hands slides come from five teams and look like it."),
         A("Slides for my talk at {event}", "I'm speaking at {event} and my slides need a designer's touch.")),
        (F(key="due_date", label="Due date", kind=DATE, required=True),
         F(key="slides", label="Number of slides", kind=NUMBER, min_value=1),
         F(key="draft", label="Draft", kind=FILE)),
        weight=4, resolutions=("Polished deck attached.",)),
    ServiceSpec("brand-design", "brand-review", "Brand review", "support",
        "Check that material follows the brand guidelines before it goes out.",
        (A("Brand check for the {product} flyer", "Before we print the {product} flyer, could you check it against the brand guidelines?", {"material": "Print"}),
         A("Logo use by partner {vendor}", "Our partner {vendor} wants to use our logo on their website. Is their mock-up fine?", {"material": "Partner material"}),
         A("Review of the new landing page", "The landing page for {product} is ready for a brand check.", {"material": "Web"})),
        (F(key="material", label="Material", kind=CHOICE, required=True, choices=["Print", "Web", "Presentation", "Partner material"]),
         F(key="file", label="File", kind=FILE)),
        weight=4, resolutions=("Looks good, with two small fixes marked in the attached PDF.",)),
    # --- Sales and Support ----------------------------------------------------------------------
    ServiceSpec("sales-emea", "reference-call", "Customer reference call", "primary",
        "Arrange a reference customer to talk to a prospect.",
        (A("Reference call for {customer}", "{customer} is in the final round and would like to speak to a customer in their industry.", {"prospect": "{customer}"}),
         A("Large-scale reference for {customer}", "Could we find a reference for {customer} who uses {product} at scale?", {"prospect": "{customer}"})),
        (F(key="prospect", label="Prospect", kind=TEXT, required=True),
         F(key="industry", label="Industry", kind=CHOICE, choices=["Retail", "Banking", "Logistics", "Healthcare", "Energy"])),
        weight=3, frequent_customers=("sales", "marketing"), serves_outcomes=True,
        resolutions=("The reference call is set for next week; invitations are out.",)),
    ServiceSpec("sales-emea", "pricing-exception", "Pricing exception", "primary",
        "A discount beyond the standard price list. Sales teams only.",
        (A("Discount for the {customer} renewal", "{customer} will sign a three-year renewal if we go beyond the standard discount."),
         A("Competitive pricing for {customer}", "Competitor pressure at {customer}: we need a one-time exception to keep the deal.")),
        (F(key="discount", label="Discount %", kind=NUMBER, required=True, min_value=0, max_value=100),
         F(key="deal", label="Deal id", kind=TEXT, required=True)),
        weight=4, visible_to_teams=("sales-emea", "sales-americas"), serves_outcomes=True,
        questions=(("What is the customer's budget ceiling?", "About ten percent below our list price."),),
        resolutions=("Approved for this deal only; please note it in the contract.",
                     "Approved at a smaller discount, with a longer term.")),
    ServiceSpec("support-tier-2", "customer-escalation", "Escalation from a customer case", "primary",
        "A customer problem that needs specialist help.",
        (A("Escalation: {customer} cannot log in", "{customer} has been blocked since this morning; first-level checks found nothing.", {"impact": "Blocked"}),
         A("Escalation: data export fails for {customer}", "The export for {customer} fails with {error}; it's their month-end close.", {"impact": "Degraded"}),
         A("Escalation: invoice mismatch for {customer}", "{customer} reports that the invoice does not match their contract.", {"impact": "Question"}),
         A("Escalation: device failure at {customer}", "A unit at {customer} fails its self-test; the customer's operations are degraded.", {"impact": "Degraded"})),
        (F(key="case", label="Case id", kind=TEXT, required=True),
         F(key="impact", label="Customer impact", kind=CHOICE, required=True, choices=["Blocked", "Degraded", "Question"])),
        weight=9, frequent_customers=("customer-support",), serves_outcomes=True, default_priority="high",
        questions=(("Can you attach the customer's log file?", "Log file attached."),
                   ("Which version is the customer on?", "The latest release, updated last week.")),
        resolutions=("Fixed on the customer's side; please let them know.",
                     "Root cause found and fixed; the customer confirmed it works.")),
    ServiceSpec("support-tier-2", "product-feedback", "Product feedback", "primary",
        "Pass on what customers ask for.",
        (A("Customers ask for {feature}", "Several customers asked for {feature} this month, {customer} among them."),
         A("Feedback from {customer} on {product}", "{customer} shared detailed feedback on {product}; notes are below.")),
        (F(key="area", label="Product area", kind=CHOICE, required=True, choices=["Reporting", "Integrations", "Mobile", "Billing", "Other"]),
         F(key="customers", label="How many customers asked", kind=NUMBER, min_value=1)),
        weight=3, frequent_customers=("customer-support", "sales"), serves_outcomes=True,
        resolutions=("Logged for the product team; it's on the roadmap review list.",)),
    # --- Legal ----------------------------------------------------------------------------------
    ServiceSpec("commercial-legal", "contract-review", "Contract review", "primary",
        "Review of customer, supplier or partner contracts.",
        (A("Review MSA with {counterparty}", "{counterparty} sent their redlines to our MSA; we want to sign this month."),
         A("Contract redlines from {counterparty}", "Please review the attached contract with {counterparty} before I send it back."),
         A("Renewal contract for {counterparty}", "The renewal with {counterparty} has new liability terms; can you check them?")),
        (F(key="counterparty", label="Counterparty", kind=TEXT, required=True),
         F(key="value", label="Contract value (EUR)", kind=NUMBER, min_value=0),
         F(key="deadline", label="Deadline", kind=DATE, required=True),
         F(key="contract", label="Contract draft", kind=FILE)),
        weight=8, frequent_customers=("sales", "operations"), serves_outcomes=True,
        questions=(("Is the liability cap negotiable from their side?", "They said they can move a little."),),
        resolutions=("Reviewed; our comments are in the attached version. Fine to sign once they accept them.",
                     "Approved as is.")),
    ServiceSpec("commercial-legal", "nda", "NDA", "support",
        "A non-disclosure agreement.",
        (A("NDA with {counterparty}", "We are starting talks with {counterparty} and need an NDA before the first workshop.", {"mutual": "Mutual"}),
         A("One-way NDA for {counterparty}", "{counterparty} will see our roadmap; they need to sign our NDA.", {"mutual": "One-way"})),
        (F(key="counterparty", label="Counterparty", kind=TEXT, required=True),
         F(key="mutual", label="Type", kind=CHOICE, required=True, choices=["Mutual", "One-way"])),
        weight=6, frequent_customers=("sales", "operations"), serves_outcomes=True,
        resolutions=("The NDA is ready for signature in DocuSign.",)),
    ServiceSpec("privacy-compliance", "compliance-question", "Compliance question", "management",
        "Data protection, export control, anti-bribery questions.",
        (A("Can we send customer data to {vendor}?", "{vendor} would process customer data for us. Is that allowed?", {"topic": "Data protection"}),
         A("Gift from a supplier", "A supplier sent a gift basket; may I keep it?", {"topic": "Anti-bribery"}),
         A("Shipping to a new country", "A customer wants us to ship units to a country we have not delivered to before.", {"topic": "Export control"})),
        (F(key="topic", label="Topic", kind=CHOICE, required=True, choices=["Data protection", "Export control", "Anti-bribery", "Other"]),),
        weight=3, resolutions=("Allowed with a data processing agreement; the template is attached.",
                               "Fine, within the limits of our policy."),
        transfer_to="contract-review"),
    ServiceSpec("privacy-compliance", "privacy-check", "Privacy check for a new tool", "support",
        "A data protection check before a new tool goes live.",
        (A("Privacy check for {app}", "We'd like to roll out {app} to the team; it stores customer names and emails.", {"tool": "{app}", "personal_data": ["Customer data"]}),
         A("New tool from {vendor}", "{vendor} offers a planning tool that would help {project}; what do you need from us?", {"tool": "{vendor} planning tool"})),
        (F(key="tool", label="Tool", kind=TEXT, required=True),
         F(key="personal_data", label="Personal data involved", kind=MULTI, choices=["Customer data", "Employee data", "None"])),
        weight=3, resolutions=("Approved; the processing record is updated.",)),
    # --- Operations -----------------------------------------------------------------------------
    ServiceSpec("supply-chain", "supplier-onboarding", "Supplier onboarding", "primary",
        "Qualify and set up a new supplier.",
        (A("Onboard {vendor}", "We'd like to work with {vendor}; they passed our first quality check.", {"vendor": "{vendor}"}),
         A("Second source for packaging", "We need a second source for packaging after last month's delays; {vendor} looks good.", {"vendor": "{vendor}", "category": "Packaging"})),
        (F(key="vendor", label="Supplier", kind=TEXT, required=True),
         F(key="category", label="Category", kind=CHOICE, choices=["Components", "Packaging", "Services", "Logistics"])),
        weight=4, frequent_customers=("operations", "facilities"),
        resolutions=("{vendor} is set up in the ERP and can receive orders.",)),
    ServiceSpec("logistics", "shipping-request", "Shipping request", "primary",
        "Ship goods or samples to customers and events.",
        (A("Ship samples to {customer}", "{customer} needs demo units before their pilot starts.", {"destination": "{customer}, {city}"}),
         A("Return shipment from {event}", "Please collect our booth material after {event} and bring it back to the warehouse.", {"destination": "Warehouse {office_city}"}),
         A("Express delivery to {city}", "A replacement unit has to reach {customer} in {city} as soon as possible.", {"destination": "{customer}, {city}", "speed": "Express"})),
        (F(key="destination", label="Destination", kind=TEXT, required=True),
         F(key="ship_by", label="Ship by", kind=DATE, required=True),
         F(key="speed", label="Speed", kind=CHOICE, choices=["Standard", "Express"])),
        weight=6, frequent_customers=("sales", "customer-support", "marketing"), serves_outcomes=True,
        resolutions=("Shipped; the tracking number is in the notes.", "Delivered and signed for.")),
)  # fmt: skip

# Requests that belong together, planned on top of single requests.
ONBOARDING_TRIGGER = "open-position"
ONBOARDING_CHILDREN = ("new-laptop", "security-badge", "desk-move")
DEAL_TRIGGER, DEAL_FOLLOW_UPS = "pricing-exception", ("contract-review", "sales-materials")
ESCALATION_TRIGGER, ESCALATION_HELPER = "customer-escalation", "shipping-request"

# Typed answers where an ask does not imply them, by form field key ("service.key" where one
# service's answers differ). Text answers are templates; numbers are (low, high, step); dates
# are days after the request was filed (negative: before).
TEXT_ANSWERS: dict[str, tuple[str, ...]] = {
    "budget-approval.justification": (
        "Last year {event} brought us three qualified leads; we expect more this year.",
        "Without it the {project} launch slips by a quarter.",
        "The quotes are attached; we chose the cheaper one.",
    ),
    "justification": (
        "I'm taking over {project} and need to work in {app} every day.",
        "The team agreed on this last week; it replaces spreadsheets we email around.",
        "Needed for {customer}: they send their files in this format.",
    ),
    "printer": ("{floor} floor, next to {room}", "Printer by the kitchen, {floor} floor"),
    "location": (
        "{office_city} office, {floor} floor, room {room}",
        "{office_city} office, {room}",
    ),
    "system": ("{team} shared drive", "Jira project {project}", "The finance share", "{app}"),
    "summary": (
        "A disagreement about responsibilities keeps coming up in our team meetings.",
        "Comments in a recent meeting made me uncomfortable, and it has happened before.",
    ),
    "role_title": ("{role}",),
    "cost_center": ("CC-{cost_center}",),
    "vendor": ("{vendor}",),
    "counterparty": ("{counterparty}",),
    "prospect": ("{customer}",),
    "deal": ("{deal}",),
    "case": ("{case}",),
    "destination": ("{customer}, {city}", "Warehouse {city}"),
    "goal": (
        "Win back customers who did not renew last year.",
        "Get 200 sign-ups for the {product} webinar.",
        "Make {product} known to our existing customers in retail.",
    ),
    "reachable_at": ("{phone}",),
    "asset_tag": ("LT-{cost_center}", "DK-{cost_center}"),
    "claim": ("EXP-{cost_center}",),
    "month": ("{month}",),
    "event_name": ("{event}",),
    "tool": ("{app}", "A {vendor} planning tool"),
}
NUMBER_ANSWERS: dict[str, tuple[int, int, int]] = {
    "amount": (500, 60_000, 50),
    "headcount": (1, 3, 1),
    "attendees": (6, 120, 2),
    "value": (10_000, 2_000_000, 5_000),
    "discount": (8, 35, 1),
    "slides": (6, 40, 1),
    "customers": (2, 25, 1),
    "people": (1, 12, 1),
    "weeks": (8, 52, 1),
}
DATE_ANSWERS: dict[str, tuple[int, int]] = {
    "needed_by": (3, 21),
    "start_date": (30, 90),
    "due_date": (3, 15),
    "deadline": (4, 25),
    "ship_by": (1, 7),
    "launch_date": (20, 75),
    "date": (2, 30),
    "since": (-5, 0),
    "event_date": (25, 120),
    "meeting_date": (7, 40),
    "move_date": (5, 30),
    "until": (14, 120),
}

FILLERS: dict[str, tuple[str, ...]] = {
    "app": tuple(APPLICATIONS),
    "laptop": tuple(LAPTOPS),
    "floor": ("2nd", "3rd", "4th", "5th"),
    "room": ("Atlas", "Borealis", "Cedar", "Delta", "Everest", "Fjord"),
    "team": ("Campaigns", "Controlling", "Sales EMEA", "Logistics", "Support Tier 1", "Recruiting"),
    "month": ("January", "March", "May", "June", "September", "November"),
    "event": ("the Berlin trade fair", "the partner summit", "the customer conference", "RetailTech Europe"),
    "city": ("Munich", "Boston", "Singapore", "London", "Madrid", "Chicago", "Jakarta"),
    "vendor": ("Nordlicht GmbH", "Acme Supplies", "Parcelo", "Brightdesk", "Kettle & Co", "Ferrum AG"),
    "customer": ("Hanse Retail", "Blue Harbor Bank", "Quanta Logistics", "Meridian Health",
                 "Solace Energy", "Aurora Foods", "Lindqvist Marine"),
    "product": ("Inhouse Cloud", "the analytics add-on", "the mobile app", "the partner portal"),
    "feature": ("SSO with Okta", "CSV export", "dark mode", "an audit log"),
    "project": ("Atlas", "Beacon", "Compass", "Harbor", "Northstar"),
    "cost_center": ("4410", "4420", "5100", "6120", "7300", "8150"),
    "error": ("'Access denied'", "a timeout", "'Device not compliant'", "error 0x80070005"),
}  # fmt: skip

# The roles a department hires for, for subjects like "Hire a {role}".
ROLES = {
    "executive": ("Executive Assistant",), "it": ("Service Desk Specialist", "Network Engineer"),
    "hr": ("Recruiter", "People Partner"), "finance": ("Controller", "Accountant"),
    "facilities": ("Facility Manager", "Receptionist"), "marketing": ("Campaign Manager", "Event Manager"),
    "design": ("Designer", "Motion Designer"), "sales": ("Account Executive", "Sales Engineer"),
    "customer-support": ("Support Specialist", "Support Engineer"), "legal": ("Legal Counsel", "Paralegal"),
    "operations": ("Buyer", "Logistics Coordinator"),
}  # fmt: skip

GREETINGS = ("Hi,", "Hello,", "Hi team,", "Hello {team_name},", "")
SIGN_OFFS = ("Thanks,", "Thanks a lot,", "Best,", "Many thanks,", "Cheers,")
FIRST_REPLIES = (
    "Hi {first}, thanks for the details. I'm on it.",
    "Hi {first}, picked this up and will get back to you today.",
    "Thanks {first}. I've had a first look and will update you shortly.",
    "Hello {first}, this is with me now.",
)
UPDATES = (
    "Quick update: still working on it, no action needed from you.",
    "Nearly there; one more check on our side.",
    "I've asked a colleague for a second opinion and will report back.",
)
QUESTIONS = (
    (
        "Could you give me a bit more detail on what you need exactly?",
        "Sure: the details are below.",
    ),
    ("Who should approve this on your side?", "My manager approves; they're in copy."),
    ("Which date would work best for you?", "Tuesday works best."),
    ("Is this still needed?", "Yes, still needed, thanks."),
)
NUDGES = (
    "Any news on this? It's getting urgent for us.",
    "Hi, just checking in on this one.",
    "The customer is asking; is there an estimate?",
)
INTERNAL_NOTES = (
    "Similar to last week's case; the same fix should apply.",
    "Needs a second pair of eyes before we finish.",
    "Requester is a repeat contact on this topic; see earlier requests.",
    "Checked the logs, nothing unusual so far.",
)
SUPPLIER_NOTES = (
    "Waiting for the vendor to confirm.",
    "Ordered the part; the supplier says three working days.",
    "Blocked until the request this one depends on is done.",
)
RESOLUTIONS = (
    "Done. Let us know if anything is still off.",
    "This is sorted now.",
    "Completed as requested.",
)
REOPENINGS = (
    "Sorry, it's happening again since this morning.",
    "This isn't quite what I asked for, see my first message.",
)
CANCELLATIONS = (
    "No longer needed, thanks.",
    "Sorted it out with a colleague, you can close this.",
    "Filed this by mistake.",
)
TRANSFER_NOTES = (
    "This belongs with {team_name}; passing it on.",
    "Handing over to {team_name}, who own this.",
)

FIRST_NAMES = (
    "Anna Ben Clara David Emma Felix Greta Hannes Ida Jonas Klara Leon Mia Noah Olivia Paul "
    "Quinn Rosa Sofia Tim Uma Viktor Wanda Xaver Yara Zoe Aisha Bilal Chen Daria Elif Farid "
    "Grace Hiro Ines Jamal Kofi Lina Mateo Nadia Oscar Priya Rahul Sara Tomas Ugo Vera Wei "
    "Yusuf Zara Amir Bianca Carlos Dana Erik Fatima Gustav Helena Ivan Julia Karim Lea Malik "
    "Nora Pedro Ruth Stefan Theo Valentina Wen Jana Ravi Mei Kenji Lucia Marta Nikolai Selin"
).split()
LAST_NAMES = (
    "Adler Becker Costa Dietrich Engel Fischer Garcia Hoffmann Ivanova Jansen Keller Lehmann "
    "Meyer Novak Okafor Petrov Quaresma Richter Schmidt Tanaka Ulrich Vogel Wagner Xu Yilmaz "
    "Zimmermann Andersen Bauer Chowdhury Dubois Eriksen Fontaine Gupta Haas Ito Jovanovic Kim "
    "Lindqvist Moreau Nguyen Olsen Park Rossi Santos Torres Weber Young Brandt Kowalski Mensah "
    "Sato Lim Tan Reyes Silva Hartmann Krause Wolf Schulz Nakamura Osei Haddad Fernandes"
).split()

# What a chain's requests say, where the service's own asks would not fit.
ONBOARDING_ASKS = {
    "new-laptop": A("Laptop for our new {role}",
                    "Our new {role} starts on {start_date}. Please have a laptop with the usual {my_team} setup ready.",
                    {"model": "{laptop}"}),
    "security-badge": A("Badge for our new {role}",
                        "Our new {role} starts on {start_date} and needs a badge for the office.",
                        {"areas": ["Office"]}),
    "desk-move": A("Desk for our new {role}",
                   "Our new {role} joins {my_team} on {start_date}; please set up a desk near the team.",
                   {"people": 1}),
}  # fmt: skip
ESCALATION_HELPER_ASK = A(
    "Replacement unit for {customer}",
    "A replacement unit has to reach {customer} as soon as possible; the escalation has the details.",
    {"destination": "{customer}, {city}", "speed": "Express"},
)
