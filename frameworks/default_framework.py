"""The default P&Q framework shipped with the portal, as plain data.

Migration 0002 loads it as version 1. It is the content of that version:
changes belong in a new version (copied and edited by the lead in the
portal), not here, or a fresh database would no longer match the version
that past cohorts were judged against.

Criteria are listed in the order they are shown and assessed: the service
quality (Q) pillar first, then people performance (P). Each criterion has
five maturity-level descriptors, from 1 Reacting to 5 Leading. The on-site
presentation is scored by the judges only, so it is not self-assessed and
has no KPIs for organisations to report.
"""

VERSION = 1
NAME = "P&Q framework 2026"
DESCRIPTION = (
    "The default framework for customer service organisations: five service quality (Q) criteria and six "
    "people performance (P) criteria, including the on-site presentation, which only the judges score."
)

HIGHER = "higher"
LOWER = "lower"

CRITERIA = [
    {
        "pillar": "Q",
        "code": "Q1",
        "title": "Voice of the customer and outside-in measurement",
        "guidance": (
            "Good looks like feedback gathered across channels and journeys, measured from the customer's point "
            "of view (effort, outcome, sentiment) rather than by internal targets alone, and visibly acted on. "
            "Bring the measures you use, how feedback is analysed and shared, and two or three changes made "
            "because of what customers told you."
        ),
        "weight": "1.5",
        "judging_only": False,
        "levels": [
            "Customer feedback is collected now and then, mostly as complaints. Performance is judged on internal "
            "measures such as handling time and calls answered.",
            "A post-contact survey runs on some channels. Results are reported but rarely analysed for causes or "
            "acted on.",
            "Satisfaction and effort are measured consistently across the main channels and journeys. Themes are "
            "reviewed every month and each action has an owner.",
            "Surveys, complaints and speech and text analytics are combined into one view of the customer. Insight "
            "drives a prioritised improvement plan, and customers are told what changed.",
            "Outside-in measures lead the organisation's scorecard, up to board level. Customers help design "
            "services, and the link from feedback to change to results is proven.",
        ],
        "kpis": [
            {"name": "Customer satisfaction (CSAT)", "unit": "%", "direction": HIGHER},
            {"name": "Net Promoter Score", "unit": "score", "direction": HIGHER},
        ],
    },
    {
        "pillar": "Q",
        "code": "Q2",
        "title": "Channel coverage and consistency",
        "guidance": (
            "Good looks like customers reaching the organisation on the channels they prefer (voice, e-mail, "
            "chat, social and messaging) and getting the same answer, tone and quality on each, with a "
            "conversation that moves between channels without starting again. Bring your channel mix and "
            "volumes, how quality is checked on each channel, and examples of hand-offs between channels."
        ),
        "weight": "1",
        "judging_only": False,
        "levels": [
            "Voice and e-mail are the only dependable channels. Other channels are answered when someone has time, "
            "with different answers and no shared record.",
            "Chat, social or messaging are offered but run as separate teams with their own standards. Customers "
            "often repeat themselves when they switch channel.",
            "Every channel offered has agreed hours, service standards and quality checks. Agents see one contact "
            "history across channels.",
            "Knowledge, tone of voice and quality standards are shared by every channel. Conversations move between "
            "channels without losing context, and the channel mix is reviewed against customers' preferences.",
            "Channels are designed around customer journeys rather than departments. Customers choose freely and "
            "get one joined-up experience, shown by outcome measures for every channel.",
        ],
        "kpis": [
            {"name": "Satisfaction gap between the best and worst channel", "unit": "points", "direction": LOWER},
            {"name": "Contacts repeated after switching channel", "unit": "%", "direction": LOWER},
        ],
    },
    {
        "pillar": "Q",
        "code": "Q3",
        "title": "Responsiveness",
        "guidance": (
            "Good looks like service levels set from what customers expect on each channel, met through the day "
            "and the week, with customers kept informed when they have to wait. Bring service levels and "
            "response times by channel over the last twelve months, how you handle peaks, and how you keep "
            "promises such as call-backs."
        ),
        "weight": "1",
        "judging_only": False,
        "levels": [
            "Response times are not measured on every channel. Queues and backlogs build up at peaks and customers "
            "chase for updates.",
            "Service levels are reported for the main channels but often missed at peaks. E-mail and social "
            "backlogs are cleared in bursts.",
            "Service levels are set for each channel and met in most intervals. Customers are told how long they "
            "will wait and offered a call-back.",
            "Targets reflect what customers expect and how urgent the contact is. Peaks are forecast and absorbed "
            "with little effect on customers, and promised call-backs are tracked and kept.",
            "Demand is anticipated and reduced by contacting customers before they need to call. Every channel "
            "responds consistently fast, and customers rarely have to chase.",
        ],
        "kpis": [
            {"name": "Calls answered within the target time", "unit": "%", "direction": HIGHER},
            {"name": "Average first response time on written channels", "unit": "hours", "direction": LOWER},
            {"name": "Abandoned calls", "unit": "%", "direction": LOWER},
        ],
    },
    {
        "pillar": "Q",
        "code": "Q4",
        "title": "Resolution",
        "guidance": (
            "Good looks like customers' issues resolved at the first contact wherever possible, judged by whether "
            "the customer considers it resolved, with repeat contacts and complaints analysed to remove their "
            "causes. Bring your first-contact resolution and repeat-contact figures, how you measure them, and "
            "examples of causes you removed."
        ),
        "weight": "2",
        "judging_only": False,
        "levels": [
            "Resolution is not measured: a contact counts as closed when the agent closes it. Repeat contacts and "
            "escalations are common.",
            "First-contact resolution is estimated from agents' wrap-up codes. Some repeat contacts are analysed, "
            "but causes are seldom fixed.",
            "Resolution is measured from the customer's point of view and from repeat contacts. Agents have the "
            "knowledge and system access to resolve the most common requests first time.",
            "The drivers of repeat contacts and complaints are analysed routinely and removed with the teams that "
            "own them. Resolution improves year on year.",
            "Failure demand is small and shrinking because its causes are designed out. Resolution is high on every "
            "channel and at every partner, and customers confirm it.",
        ],
        "kpis": [
            {"name": "First-contact resolution", "unit": "%", "direction": HIGHER},
            {"name": "Repeat contacts within seven days", "unit": "%", "direction": LOWER},
            {"name": "Complaints per 1,000 contacts", "unit": "per 1,000", "direction": LOWER},
        ],
    },
    {
        "pillar": "Q",
        "code": "Q5",
        "title": "Journey ownership across silos",
        "guidance": (
            "Good looks like end-to-end journeys, such as moving home or disputing a bill, each with a named owner "
            "and measures that cross department and partner boundaries, so that customer service is not left to "
            "absorb failures made elsewhere. Bring the map of one or two key journeys, who owns them, and an "
            "improvement made together with another department or partner."
        ),
        "weight": "1.5",
        "judging_only": False,
        "levels": [
            "Customer service handles the consequences of other departments' failures with no way to feed them "
            "back. Nobody owns a journey from end to end.",
            "Key journeys have been mapped and problems are escalated to other departments, but follow-up depends "
            "on goodwill.",
            "Key journeys have named owners and shared measures. Regular reviews across departments agree actions "
            "and track them to completion.",
            "Journey owners have the authority and budget to change processes across departments and outsourcing "
            "partners. Improvements are measured by their effect on customers and on failure demand.",
            "The organisation is run around customer journeys. Departments and partners share targets for journey "
            "outcomes, and customer service insight shapes changes before they go live.",
        ],
        "kpis": [
            {"name": "Key journeys with a named owner", "unit": "%", "direction": HIGHER},
            {"name": "Failure demand (contacts caused by failures elsewhere)", "unit": "%", "direction": LOWER},
        ],
    },
    {
        "pillar": "P",
        "code": "P1",
        "title": "Quality monitoring and coaching",
        "guidance": (
            "Good looks like a quality framework built on what matters to customers, calibrated between "
            "assessors, and used to coach people rather than to catch them out. Bring your quality form and how "
            "it was built, how calibration works, and examples of coaching conversations and the improvement "
            "that followed."
        ),
        "weight": "1.5",
        "judging_only": False,
        "levels": [
            "Quality checks are occasional and focus on compliance and following the script. Feedback reaches "
            "agents late, if at all.",
            "A quality form is used regularly, but scores vary between assessors and feedback is mostly a score "
            "without coaching.",
            "Quality criteria reflect customer outcomes and are calibrated regularly. Every agent has regular, "
            "structured coaching from a trained team leader.",
            "Insight from monitoring, analytics and customer feedback drives individual coaching and improvements "
            "for whole teams. Agents assess their own contacts and take part in calibration.",
            "Coaching is part of the culture at every level. Quality results predict customer outcomes, and the "
            "approach is shared across channels and partners.",
        ],
        "kpis": [
            {"name": "Contacts assessed per agent per month", "unit": "contacts", "direction": HIGHER},
            {"name": "Agents coached in the last month", "unit": "%", "direction": HIGHER},
            {"name": "Score difference between assessors at calibration", "unit": "points", "direction": LOWER},
        ],
    },
    {
        "pillar": "P",
        "code": "P2",
        "title": "Outcome-aligned performance management",
        "guidance": (
            "Good looks like individual and team objectives that reward good outcomes for customers rather than "
            "speed or volume alone, reviewed in regular and fair conversations. Bring your agent and team leader "
            "scorecards, how targets are set, and evidence that the measures do not drive the wrong behaviour."
        ),
        "weight": "1",
        "judging_only": False,
        "levels": [
            "Agents are measured mainly on productivity, such as handling time and contacts per hour. Targets "
            "sometimes work against good service.",
            "Scorecards include quality and customer measures, but productivity still dominates reviews and rewards.",
            "Balanced scorecards combine customer outcomes, quality and productivity. Monthly one-to-ones review "
            "performance and agree development actions.",
            "Measures are checked for side effects before they are used, and people see how their work affects "
            "customer outcomes. Recognition rewards good outcomes and behaviours.",
            "Performance management is a continuous two-way conversation. Individual, team and organisational "
            "goals line up with customer outcomes, and people help set their own objectives.",
        ],
        "kpis": [
            {"name": "One-to-ones held as planned", "unit": "%", "direction": HIGHER},
            {"name": "Share of the agent scorecard given to customer outcomes", "unit": "%", "direction": HIGHER},
        ],
    },
    {
        "pillar": "P",
        "code": "P3",
        "title": "Skills and development",
        "guidance": (
            "Good looks like people ready for their role from their first day and growing afterwards: a "
            "structured induction, training for each channel, and clear paths to progress. Bring your induction "
            "plan, how training needs are assessed, the time spent on development, and examples of people who "
            "progressed."
        ),
        "weight": "1",
        "judging_only": False,
        "levels": [
            "Induction is mostly sitting next to a colleague. Training happens after something has gone wrong.",
            "A structured induction exists and some further training is offered, but it is not linked to what "
            "each person needs.",
            "Training needs are assessed for each person and channel. Development time is planned and protected, "
            "and new starters reach competence on a tracked timeline.",
            "Learning combines classroom, digital and on-the-job coaching, and its effect on performance is "
            "measured. Clear career paths lead to specialist and leadership roles.",
            "The organisation is known as a place to grow. People shape their own development, most leaders are "
            "promoted from within, and skills are planned ahead of changes in demand and technology.",
        ],
        "kpis": [
            {"name": "Training hours per person per year", "unit": "hours", "direction": HIGHER},
            {"name": "Time for new starters to reach competence", "unit": "weeks", "direction": LOWER},
            {"name": "Vacancies filled from within", "unit": "%", "direction": HIGHER},
        ],
    },
    {
        "pillar": "P",
        "code": "P4",
        "title": "Engagement and well-being",
        "guidance": (
            "Good looks like people who feel listened to, supported and proud of the service they give, with "
            "their well-being looked after in a demanding job. Bring engagement survey results and their trend, "
            "what you changed because of them, the well-being support you offer, and attrition and absence "
            "figures."
        ),
        "weight": "1.5",
        "judging_only": False,
        "levels": [
            "Engagement is not measured. Attrition and absence are high and their causes are not understood.",
            "An annual engagement survey runs, but results are shared late and few actions follow. Well-being "
            "support is limited to an assistance helpline.",
            "Engagement is measured regularly and teams agree actions on the results. Well-being support, "
            "including help after difficult contacts, is in place and used.",
            "Engagement and well-being are in every leader's objectives. Attrition, absence and survey trends are "
            "analysed together and acted on early.",
            "People recommend the organisation as an employer. Well-being is designed into work patterns and "
            "workloads, and engagement stays high through change.",
        ],
        "kpis": [
            {"name": "Employee engagement", "unit": "%", "direction": HIGHER},
            {"name": "Staff attrition over twelve months", "unit": "%", "direction": LOWER},
            {"name": "Absence rate", "unit": "%", "direction": LOWER},
        ],
    },
    {
        "pillar": "P",
        "code": "P5",
        "title": "Empowerment and workforce planning",
        "guidance": (
            "Good looks like agents trusted to do the right thing for customers within clear limits, and enough "
            "of the right people in the right place at the right time, planned with respect for their lives "
            "outside work. Bring the decisions agents can take without referral, your forecast accuracy and "
            "scheduling approach, and how people influence their shifts."
        ),
        "weight": "1",
        "judging_only": False,
        "levels": [
            "Agents must refer most decisions to a supervisor. Staffing is planned from last year's figures and "
            "shifts change at short notice.",
            "Agents have some discretion, such as small goodwill payments. Forecasts are made for each channel but "
            "often miss, and overtime fills the gaps.",
            "Agents have clear authority to resolve common issues themselves. Demand is forecast by interval, and "
            "rotas are published in good time with some choice of shifts.",
            "Limits of authority are reviewed with agents and widened as trust grows. Plans use accurate forecasts "
            "for every channel, and people swap shifts themselves.",
            "Agents own the customer's outcome and improve processes themselves. Planning is accurate, flexible "
            "and fair, balances customer demand with people's lives, and includes partners' teams.",
        ],
        "kpis": [
            {"name": "Forecast accuracy", "unit": "%", "direction": HIGHER},
            {"name": "Contacts referred for authorisation", "unit": "%", "direction": LOWER},
        ],
    },
    {
        "pillar": "P",
        "code": "P6",
        "title": "On-site presentation",
        "guidance": (
            "Scored by the judges at the on-site visit; it is not self-assessed. Good looks like a team that shows "
            "how its P&Q approach works day to day: front-line colleagues presenting alongside leaders, a clear "
            "story backed by the evidence in the written submission, and candid answers about what is still to "
            "improve."
        ),
        "weight": "1",
        "judging_only": True,
        "levels": [
            "The presentation repeats the written submission and is given by senior managers only. Claims are not "
            "backed by evidence and questions get vague answers.",
            "The story is clearer and includes some examples, but front-line colleagues play a small part and the "
            "evidence is thin.",
            "A clear, well-structured story, backed by evidence, is told by leaders and front-line colleagues "
            "together. Questions are answered openly.",
            "Front-line colleagues lead much of the presentation and show the approach working live, with real "
            "contacts, data and a visit to the floor. The team is candid about weaknesses and its plans.",
            "A compelling, authentic story is told by people at every level, with convincing evidence and lessons "
            "other organisations could learn from. The judges leave in no doubt about how it works day to day.",
        ],
        "kpis": [],
    },
]
