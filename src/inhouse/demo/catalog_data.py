"""What the demo company looks like: departments, teams, offices and the services they offer.

Plain data, so the shape of the demo can be read (and changed) without
reading the code that builds it.
"""

from dataclasses import dataclass, field

F = dict  # a form field specification, as accepted by catalog.models.FormField


@dataclass(frozen=True)
class TeamSpec:
    name: str
    slug: str
    prefix: str
    size: int


@dataclass(frozen=True)
class DepartmentSpec:
    name: str
    slug: str
    prefix: str
    teams: tuple[TeamSpec, ...]
    serves_external_customers: bool = False


@dataclass(frozen=True)
class ServiceSpec:
    team: str
    slug: str
    name: str
    category: str
    description: str
    subjects: tuple[str, ...]
    fields: tuple[F, ...] = ()
    weight: int = 10
    confidential: bool = False
    visible_to_teams: tuple[str, ...] = ()
    visible_to_kinds: tuple[str, ...] = ()
    default_priority: str = "normal"
    # Targets per priority (first response, resolution) in business minutes, when the
    # service has its own agreement rather than its team's default one.
    targets: dict[str, tuple[int, int]] = field(default_factory=dict)


DEPARTMENTS: tuple[DepartmentSpec, ...] = (
    DepartmentSpec("Executive Office", "executive", "EXE", (TeamSpec("Leadership", "leadership", "LDR", 6),)),
    DepartmentSpec("IT", "it", "ITD", (
        TeamSpec("IT Service Desk", "it-service-desk", "IT", 8),
        TeamSpec("Infrastructure", "infrastructure", "INF", 6),
        TeamSpec("Identity & Access", "identity-access", "IAM", 4),
    )),
    DepartmentSpec("HR", "hr", "HRD", (
        TeamSpec("People Partners", "people-partners", "HR", 5),
        TeamSpec("Recruiting", "recruiting", "REC", 5),
        TeamSpec("Payroll", "payroll", "PAY", 3),
    )),
    DepartmentSpec("Finance", "finance", "FND", (
        TeamSpec("Controlling", "controlling", "FIN", 6),
        TeamSpec("Accounts Payable", "accounts-payable", "AP", 4),
    )),
    DepartmentSpec("Facilities", "facilities", "FCD", (
        TeamSpec("Workplace", "workplace", "FAC", 6),
        TeamSpec("Security", "security", "SEC", 4),
    )),
    DepartmentSpec("Marketing", "marketing", "MKD", (
        TeamSpec("Campaigns", "campaigns", "MKT", 10),
        TeamSpec("Events", "events", "EVT", 5),
    )),
    DepartmentSpec("Design", "design", "DSD", (TeamSpec("Brand Design", "brand-design", "DES", 7),)),
    DepartmentSpec("Sales", "sales", "SLD", (
        TeamSpec("Sales EMEA", "sales-emea", "SAL", 16),
        TeamSpec("Sales Americas", "sales-americas", "SAM", 14),
    ), serves_external_customers=True),
    DepartmentSpec("Customer Support", "customer-support", "SPD", (
        TeamSpec("Support Tier 1", "support-tier-1", "CS", 16),
        TeamSpec("Support Tier 2", "support-tier-2", "SUP", 8),
    ), serves_external_customers=True),
    DepartmentSpec("Legal", "legal", "LGD", (TeamSpec("Commercial Legal", "commercial-legal", "LEG", 5),)),
    DepartmentSpec("Operations", "operations", "OPD", (
        TeamSpec("Supply Chain", "supply-chain", "OPS", 10),
        TeamSpec("Logistics", "logistics", "LOG", 8),
    )),
)  # fmt: skip

# Offices: (calendar name, timezone, weekly hours, holiday country, subdivision, share of people)
OFFICES = (
    ("Berlin office", "Europe/Berlin", [["09:00", "12:30"], ["13:30", "17:30"]], "DE", "BE", 0.65),
    ("New York office", "America/New_York", [["09:00", "17:00"]], "US", "NY", 0.25),
    ("Singapore office", "Asia/Singapore", [["09:00", "18:00"]], "SG", "", 0.10),
)
AROUND_THE_CLOCK = "Around the clock"

CHOICE, MULTI = "choice", "multi_choice"

SERVICES: tuple[ServiceSpec, ...] = (
    # IT
    ServiceSpec("it-service-desk", "software-access", "Software access", "support",
        "Get access to an application the company licenses.",
        ("Access to {app}", "{app} licence for a new colleague", "Need {app} for the project"),
        (F(key="application", label="Application", kind=CHOICE, required=True,
           choices=["Figma", "Salesforce", "Jira", "Adobe Creative Cloud", "Tableau", "GitHub"]),
         F(key="justification", label="Why do you need it?", kind="long_text", required=True),
         F(key="needed_by", label="Needed by", kind="date")), weight=40),
    ServiceSpec("it-service-desk", "printer-configuration", "Printer configuration", "support",
        "Set up or fix a printer on your laptop.",
        ("Cannot print to the {floor} floor printer", "Printer shows offline", "Scan to email broken"),
        (F(key="printer", label="Printer name or location", kind="text", required=True),), weight=15),
    ServiceSpec("it-service-desk", "password-reset", "Password reset", "support",
        "Locked out or forgot your password.",
        ("Locked out of my account", "Password expired while travelling", "MFA device lost"),
        weight=25, default_priority="high"),
    ServiceSpec("it-service-desk", "new-laptop", "New laptop", "support",
        "A laptop for a new colleague or a replacement.",
        ("Laptop for new joiner", "Replacement laptop: battery failing", "Laptop for contractor"),
        (F(key="model", label="Model", kind=CHOICE, required=True,
           choices=["MacBook Pro 14", "MacBook Air 13", "ThinkPad X1", "Dell XPS 15"]),
         F(key="for_person", label="For whom", kind="person"),
         F(key="needed_by", label="Needed by", kind="date", required=True)), weight=15),
    ServiceSpec("infrastructure", "network-problem", "Network problem", "support",
        "Wi-Fi, VPN or wired network not working.",
        ("Wi-Fi drops in meeting room {room}", "VPN disconnects every hour", "Slow network on floor {floor}"),
        (F(key="location", label="Where", kind="text", required=True),
         F(key="since", label="Since when", kind="date")), weight=20,
        targets={"urgent": (15, 120), "high": (30, 240), "normal": (120, 960), "low": (480, 2880)}),
    ServiceSpec("infrastructure", "vpn-access", "VPN access", "support",
        "Remote access to the company network.",
        ("VPN access for remote work", "VPN profile for partner"), weight=8),
    ServiceSpec("identity-access", "access-review", "Access rights change", "support",
        "Add or remove access to shared drives, groups and systems.",
        ("Add me to the {team} shared drive", "Remove access for leaver", "Group membership for project"),
        (F(key="system", label="System or drive", kind="text", required=True),
         F(key="approver", label="Approving manager", kind="person", required=True)), weight=15),
    # HR
    ServiceSpec("people-partners", "benefits-question", "Benefits question", "support",
        "Questions about pension, health insurance, leave or other benefits.",
        ("Question about pension contribution", "How many leave days do I have left?",
         "Health insurance for my partner"), weight=12),
    ServiceSpec("people-partners", "conflict-mediation", "Workplace conflict mediation", "support",
        "Confidential help with a conflict at work. Only you and HR's people partners see it.",
        ("Need to talk about a conflict in my team", "Request for mediation", "Concern about behaviour"),
        (F(key="summary", label="What happened", kind="long_text", required=True),
         F(key="preferred_contact", label="How should we reach you?", kind=CHOICE,
           choices=["In person", "Video call", "Phone"])), weight=2, confidential=True),
    ServiceSpec("people-partners", "parental-leave", "Parental leave", "support",
        "Plan parental leave and your return.",
        ("Planning parental leave from {month}", "Return from parental leave"),
        (F(key="start_date", label="Start date", kind="date", required=True),), weight=3),
    ServiceSpec("people-partners", "reference-letter", "Reference letter", "support",
        "A reference letter or employment certificate.",
        ("Employment certificate for visa", "Reference letter"), weight=3),
    ServiceSpec("recruiting", "open-position", "Recruitment for an open position", "management",
        "Start hiring for an approved position.",
        ("Hire a {role}", "Backfill for {role}", "Two {role}s for the new team"),
        (F(key="role_title", label="Role title", kind="text", required=True),
         F(key="team", label="Team", kind="team", required=True),
         F(key="headcount", label="Headcount", kind="number", required=True),
         F(key="start_date", label="Desired start date", kind="date")), weight=6),
    ServiceSpec("payroll", "payroll-question", "Payroll question", "support",
        "Questions about your payslip, overtime or tax forms.",
        ("Overtime missing from payslip", "Tax form for last year", "Bank details change"), weight=6),
    # Finance
    ServiceSpec("controlling", "budget-approval", "Budget approval", "management",
        "Approval for spending beyond your team's budget.",
        ("Budget for {event}", "Extra budget for tooling", "Approve spend for agency work"),
        (F(key="amount", label="Amount (EUR)", kind="number", required=True),
         F(key="cost_center", label="Cost center", kind="text", required=True),
         F(key="justification", label="Justification", kind="long_text", required=True)), weight=8,
        targets={"urgent": (60, 480), "high": (240, 960), "normal": (480, 2400), "low": (960, 4800)}),
    ServiceSpec("controlling", "expense-question", "Expense question", "support",
        "Questions about expense claims and travel costs.",
        ("Is this hotel within policy?", "Expense claim rejected", "Per diem for {city}"), weight=8),
    ServiceSpec("accounts-payable", "vendor-payment", "Vendor payment", "support",
        "Pay a supplier invoice.",
        ("Invoice from {vendor} overdue", "Pay {vendor} invoice", "Vendor says payment missing"),
        (F(key="vendor", label="Vendor", kind="text", required=True),
         F(key="invoice", label="Invoice", kind="file"),
         F(key="amount", label="Amount", kind="number", required=True)), weight=8),
    ServiceSpec("accounts-payable", "purchase-order", "Purchase order", "support",
        "Raise a purchase order before buying.",
        ("PO for {vendor}", "Purchase order for hardware"), weight=5),
    # Facilities
    ServiceSpec("workplace", "cleaning", "Cleaning", "support",
        "Spills, restrooms, kitchens, meeting rooms.",
        ("Coffee spilled in room {room}", "Kitchen on floor {floor} needs cleaning", "Restroom supplies"),
        weight=10, targets={"urgent": (30, 120), "high": (60, 240), "normal": (120, 480), "low": (240, 960)}),
    ServiceSpec("workplace", "meeting-room-setup", "Meeting room setup", "support",
        "Furniture, catering or AV for a meeting.",
        ("Room setup for all-hands", "Catering for customer visit", "Projector for board meeting"),
        (F(key="date", label="Date", kind="date", required=True),
         F(key="attendees", label="Attendees", kind="number")), weight=6),
    ServiceSpec("workplace", "desk-move", "Desk move", "support", "Move desks and equipment.",
        ("Team moving to floor {floor}", "Desk for new joiner"), weight=4),
    ServiceSpec("workplace", "transport", "Transport and parking", "support",
        "Parking permits, shuttle and bike spaces.", ("Parking permit", "Shuttle for offsite"), weight=3),
    ServiceSpec("security", "security-badge", "Security badge", "support",
        "A new or replacement badge, or access to restricted areas.",
        ("Badge for new joiner", "Lost my badge", "Access to the server room"),
        (F(key="for_person", label="For whom", kind="person"),
         F(key="areas", label="Areas", kind=MULTI, choices=["Office", "Server room", "Warehouse", "Lab"])),
        weight=8),
    # Marketing and Design
    ServiceSpec("campaigns", "campaign-brief", "Campaign brief", "primary",
        "Marketing support for a product launch or campaign.",
        ("Launch campaign for {product}", "Newsletter feature", "Social push for webinar"),
        (F(key="goal", label="Goal", kind="long_text", required=True),
         F(key="launch_date", label="Launch date", kind="date")), weight=5),
    ServiceSpec("events", "event-support", "Event support", "primary",
        "Booth, material and logistics for trade fairs and customer events.",
        ("Booth at {event}", "Customer dinner in {city}"), weight=4),
    ServiceSpec("brand-design", "sales-materials", "Marketing materials for Sales", "primary",
        "Decks, one-pagers and visuals that Sales shows customers.",
        ("One-pager for {customer}", "Deck update for {product}", "Case study layout"),
        (F(key="due_date", label="Due date", kind="date", required=True),
         F(key="formats", label="Formats", kind=MULTI, required=True,
           choices=["Slide deck", "PDF one-pager", "Print", "Social"]),
         F(key="deal", label="Deal or account", kind="text")), weight=10),
    ServiceSpec("brand-design", "presentation-design", "Presentation design", "support",
        "Polish an internal or board presentation.",
        ("Board deck polish", "All-hands slides"), weight=4),
    # Sales and Support
    ServiceSpec("sales-emea", "reference-call", "Customer reference call", "primary",
        "Arrange a reference customer to talk to a prospect.",
        ("Reference call for {customer}", "Reference in retail for {customer}"), weight=3),
    ServiceSpec("sales-emea", "pricing-exception", "Pricing exception", "primary",
        "A discount beyond the standard price list. Sales teams only.",
        ("Discount for {customer} renewal", "Multi-year pricing for {customer}"),
        (F(key="discount", label="Discount %", kind="number", required=True),
         F(key="deal", label="Deal id", kind="text", required=True)), weight=4,
        visible_to_teams=("sales-emea", "sales-americas", "controlling")),
    ServiceSpec("support-tier-2", "customer-escalation", "Escalation from a customer case", "primary",
        "A customer problem that needs engineering or specialist help.",
        ("Escalation: {customer} cannot log in", "Escalation: data export fails for {customer}",
         "Escalation: invoice mismatch for {customer}"),
        (F(key="case", label="Case id", kind="text", required=True),
         F(key="impact", label="Customer impact", kind=CHOICE, required=True,
           choices=["Blocked", "Degraded", "Question"])), weight=8, default_priority="high"),
    ServiceSpec("support-tier-2", "product-feedback", "Product feedback", "primary",
        "Pass on what customers ask for.", ("Customers ask for {feature}",), weight=3),
    # Legal
    ServiceSpec("commercial-legal", "contract-review", "Contract review", "primary",
        "Review of customer, supplier or partner contracts.",
        ("Review MSA with {customer}", "Supplier contract {vendor}", "Partner agreement redlines"),
        (F(key="counterparty", label="Counterparty", kind="text", required=True),
         F(key="value", label="Contract value (EUR)", kind="number"),
         F(key="deadline", label="Deadline", kind="date", required=True),
         F(key="contract", label="Contract draft", kind="file")), weight=8),
    ServiceSpec("commercial-legal", "nda", "NDA", "support", "A non-disclosure agreement.",
        ("NDA with {customer}", "Mutual NDA for {vendor}"),
        (F(key="counterparty", label="Counterparty", kind="text", required=True),), weight=6),
    ServiceSpec("commercial-legal", "compliance-question", "Compliance question", "management",
        "Data protection, export control, anti-bribery questions.",
        ("Can we send customer data to {vendor}?", "Gift from a supplier"), weight=3),
    ServiceSpec("leadership", "board-briefing", "Board briefing", "management",
        "Material for the board. Board members only.",
        ("Briefing on quarterly numbers", "Background for strategy session"), weight=1,
        visible_to_kinds=("board_member",)),
    # Operations
    ServiceSpec("supply-chain", "supplier-onboarding", "Supplier onboarding", "primary",
        "Qualify and set up a new supplier.", ("Onboard {vendor}", "Second source for components"),
        (F(key="vendor", label="Supplier", kind="text", required=True),), weight=4),
    ServiceSpec("logistics", "shipping-request", "Shipping request", "primary",
        "Ship goods or samples to customers and events.",
        ("Ship samples to {customer}", "Return shipment from {event}", "Express delivery to {city}"),
        (F(key="destination", label="Destination", kind="text", required=True),
         F(key="ship_by", label="Ship by", kind="date", required=True)), weight=6),
)  # fmt: skip

# Team-wide default targets (first response, resolution) in business minutes per priority.
TEAM_TARGETS = {
    "urgent": (30, 240),
    "high": (60, 480),
    "normal": (240, 1440),
    "low": (480, 4800),
}

FILLERS = {
    "app": ["Figma", "Salesforce", "Jira", "Tableau", "Adobe Creative Cloud", "GitHub"],
    "floor": ["2nd", "3rd", "4th", "5th"],
    "room": ["Atlas", "Borealis", "Cedar", "Delta", "Everest"],
    "team": ["Campaigns", "Controlling", "Sales EMEA", "Logistics"],
    "month": ["March", "June", "September", "November"],
    "role": [
        "Account Executive",
        "Backend Engineer",
        "Support Specialist",
        "Controller",
        "Designer",
    ],
    "event": ["the Berlin trade fair", "the partner summit", "the customer conference"],
    "city": ["Munich", "Boston", "Singapore", "London", "Madrid"],
    "vendor": ["Nordlicht GmbH", "Acme Supplies", "Parcelo", "Brightdesk", "Kettle & Co"],
    "product": ["Inhouse Cloud", "the analytics add-on", "the mobile app"],
    "customer": [
        "Hanse Retail",
        "Blue Harbor Bank",
        "Quanta Logistics",
        "Meridian Health",
        "Solace Energy",
    ],
    "feature": ["SSO with Okta", "CSV export", "dark mode"],
}

FIRST_NAMES = (
    "Anna Ben Clara David Emma Felix Greta Hannes Ida Jonas Klara Leon Mia Noah Olivia Paul "
    "Quinn Rosa Sofia Tim Uma Viktor Wanda Xaver Yara Zoe Aisha Bilal Chen Daria Elif Farid "
    "Grace Hiro Ines Jamal Kofi Lina Mateo Nadia Oscar Priya Rahul Sara Tomas Ugo Vera Wei "
    "Yusuf Zara Amir Bianca Carlos Dana Erik Fatima Gustav Helena Ivan Julia Karim Lea"
).split()
LAST_NAMES = (
    "Adler Becker Costa Dietrich Engel Fischer Garcia Hoffmann Ivanova Jansen Keller Lehmann "
    "Meyer Novak Okafor Petrov Quaresma Richter Schmidt Tanaka Ulrich Vogel Wagner Xu Yilmaz "
    "Zimmermann Andersen Bauer Chowdhury Dubois Eriksen Fontaine Gupta Haas Ito Jovanovic Kim "
    "Lindqvist Moreau Nguyen Olsen Park Rossi Santos Torres Weber Young"
).split()
