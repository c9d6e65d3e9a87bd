"""Original demo content: invented news excerpts from invented sources, with
prayers written for this project. Nothing here is quoted from anywhere."""

TOPICS = ["Government", "Families", "Disaster Relief", "Education", "Health", "Faith", "Service"]

POSTS = [
    {
        "slug": "river-towns-begin-cleanup-after-spring-flood",
        "title": "River towns begin the long cleanup after the spring flood",
        "topics": ["Disaster Relief", "Families"],
        "states": ["IA", "MO"],
        "source": "The Prairie Ledger",
        "url": "https://example.com/prairie-ledger/river-towns-cleanup",
        "credit": "Dana Whitfield for The Prairie Ledger",
        "question": "How are you praying for the families cleaning up after the flood?",
        "prayer": (
            "Father, we pray for every family returning to a flooded home this week. Give them "
            "strength for the heavy work, patience with the paperwork, and neighbours who show "
            "up with shovels and casseroles. Let no one carry this alone."
        ),
        "days_ago": 0,
        "body": """When the water finally pulled back from Main Street on Tuesday, it left behind a line of brown silt nearly four feet up the walls of the hardware store, the diner and the little brick library that has stood on the corner since 1911.

"You can see exactly how high it came," said the library's director, running a hand along the stain. "What you can't see is how much of the town's memory was on the bottom two shelves."

Volunteers from churches in three counties arrived before dawn with pressure washers, box fans and trailers full of bottled water. By noon, a line of ruined carpet and drywall stretched the length of two blocks.

## A slow recovery

State emergency officials estimate that more than 600 homes took on water along a forty-mile stretch of the river. Many of the families affected do not carry flood insurance, and local leaders warn that the recovery will be measured in months, not weeks.

> "The first week everybody comes. The hard part is week six, when the cameras are gone and the mold shows up."

A regional food bank has opened two distribution sites, and the county is asking anyone who can lend a dehumidifier to bring it to the fairgrounds, where a volunteer crew is matching equipment with homes.""",
    },
    {
        "slug": "legislature-opens-session-with-budget-gap",
        "title": "Legislature opens its session facing a budget gap and a long list of needs",
        "topics": ["Government"],
        "states": ["VA"],
        "source": "The Capitol Dispatch",
        "url": "https://example.com/capitol-dispatch/session-opens",
        "credit": "",
        "question": "How are you praying for the lawmakers in your state this season?",
        "prayer": (
            "Father, we pray for the men and women who gathered this week to write our state's "
            "laws. Give them wisdom beyond their party, honesty in their dealings, and soft "
            "hearts toward the people who will live with what they decide."
        ),
        "days_ago": 1,
        "body": """Lawmakers returned to the capitol on Wednesday under gray skies and a tighter budget than any session in a decade, with leaders of both parties promising to protect schools and roads while closing a shortfall estimated at several hundred million dollars.

The opening day was, by tradition, a day of handshakes and family photographs on the chamber floor. The hard conversations begin next week, when the budget committees hold their first hearings.

Among the items expected to draw the most debate are a proposal to raise pay for the state's corrections officers, a plan to expand rural broadband, and a bill that would make it easier for churches and nonprofits to open their buildings as overnight warming shelters in winter.

"People are tired of hearing that we can't get along," one senior member told reporters. "This is the year to prove them wrong on the things that matter at the kitchen table."

The session is scheduled to run sixty days.""",
    },
    {
        "slug": "teachers-step-in-as-district-faces-shortage",
        "title": "Retired teachers step back into classrooms as a district faces a shortage",
        "topics": ["Education", "Service"],
        "states": ["AZ"],
        "source": "Desert Valley Times",
        "url": "https://example.com/desert-valley-times/retired-teachers",
        "credit": "Marisol Vega / Desert Valley Times",
        "question": "How are you praying for the teachers and students in your community?",
        "prayer": (
            "Father, we thank you for teachers who answered the call a second time. Renew their "
            "energy, guard their health, and let every child in their rooms know they are seen, "
            "known and worth the effort."
        ),
        "days_ago": 2,
        "body": """With forty classrooms still without a permanent teacher two weeks into the school year, a suburban district has turned to an unlikely source of help: the people who retired from those same classrooms.

More than sixty retired teachers have signed on as long-term substitutes since the district sent out a letter asking for help in August. Some had been out of the classroom for a year; one had retired in 2009.

"I told my husband I'd do it until Thanksgiving," said a former fourth-grade teacher who is now back in front of a class of twenty-six. "Then I met the kids."

The district's superintendent said the arrangement buys time while the state works through a backlog of teaching licenses, but it is not a long-term answer. Nationally, many districts report that fewer young people are entering the profession, and that those who do are leaving earlier.

Parents at a board meeting this week thanked the retired teachers with a standing ovation.""",
    },
    {
        "slug": "rural-hospital-keeps-doors-open",
        "title": "A rural hospital keeps its doors open with help from its neighbours",
        "topics": ["Health", "Families"],
        "states": ["TX"],
        "source": "Gulf Plains Courier",
        "url": "https://example.com/gulf-plains-courier/rural-hospital",
        "credit": "",
        "question": "How are you praying for the nurses and doctors who serve small towns?",
        "prayer": (
            "Father, we pray for the small hospitals that stand between rural families and a "
            "two-hour drive. Sustain the nurses working double shifts, give wisdom to the board "
            "that must balance the books, and bring healing to every patient in their care."
        ),
        "days_ago": 3,
        "body": """The only hospital within seventy miles will stay open through next year after a county-wide fundraising drive, a grant from a regional foundation and an agreement with a larger health system to share specialists by video.

The twenty-five-bed hospital had warned in the spring that it might have to close its emergency room at night. Residents responded with pancake breakfasts, a cattle auction and a radiothon that raised more than the board had hoped for.

"This place delivered my children and sat with my father when he died," said one rancher who donated a heifer to the auction. "We weren't going to let it go without a fight."

Hospital leaders say the rescue is real but fragile. Recruiting nurses remains the largest challenge, and the building's aging heating system will need to be replaced within two years.

A new program will pay part of the tuition for local high school graduates who study nursing and promise to return home to work for three years.""",
    },
    {
        "slug": "veterans-find-work-through-church-network",
        "title": "A church network helps veterans find work after service",
        "topics": ["Service", "Faith"],
        "states": ["OH", "PA"],
        "source": "Lakeshore Herald",
        "url": "https://example.com/lakeshore-herald/veterans-work",
        "credit": "Owen Brandt for the Lakeshore Herald",
        "question": "How are you praying for the veterans in your congregation and town?",
        "prayer": (
            "Father, we pray for the men and women coming home from service. Open doors of good "
            "work for them, give their families peace in the change, and surround them with a "
            "community that honours what they gave."
        ),
        "days_ago": 5,
        "body": """A network of forty congregations has placed more than two hundred veterans in jobs over the past eighteen months by doing something simple: asking the business owners in their pews to make one phone call.

The program pairs each veteran with a mentor from a partner church, helps translate military experience into the language of a résumé, and hosts a monthly breakfast where employers and job seekers meet across folding tables.

"A lot of us know how to lead a team under pressure," said a former Army logistics sergeant who now manages a warehouse crew. "We just don't always know how to say that in a job interview."

Organizers say the mentoring matters as much as the job. Many of the veterans they serve are navigating a move, a new marriage or the loss of the close friendships of their unit.

The network hopes to expand to two more cities next year.""",
    },
    {
        "slug": "wildfire-season-volunteers-prepare",
        "title": "Volunteers prepare shelters as an early wildfire season begins",
        "topics": ["Disaster Relief"],
        "states": ["CA", "OR"],
        "source": "Mountain West Record",
        "url": "https://example.com/mountain-west-record/fire-season",
        "credit": "",
        "question": "How are you praying for firefighters and families in fire country?",
        "prayer": (
            "Father, we pray for the firefighters on the line tonight and the families who keep "
            "a bag packed by the door. Send rain where it is needed, calm the winds, and keep "
            "every crew safe until they come home."
        ),
        "days_ago": 8,
        "body": """Weeks earlier than usual, volunteers are stocking cots, blankets and pet crates in church halls and school gyms across the foothills, preparing for evacuations that fire officials warn could come at any time.

A dry winter and an unusually warm spring have left hillsides brittle. Two fires have already burned more than ten thousand acres this month, and crews from four states have been called in to help.

Shelter coordinators say the biggest lesson of recent years is that people will not leave without their animals. This year, nearly every shelter site has a plan for dogs, cats and even horses.

"When someone arrives at two in the morning with nothing but the clothes on their back, the first thing they need is a kind face," said one volunteer who has worked six evacuations. "The cot comes second."

Officials urge residents to sign up for emergency alerts and to keep a go-bag ready.""",
    },
]

STANDALONE_PRAYERS = [
    ("TX", "Father, we pray for Texas: for farmers waiting on rain, for border towns carrying "
           "heavy loads, and for every church opening its doors to the stranger."),
    ("OH", "Father, we pray for Ohio: for factory towns finding new work, for families caring "
           "for aging parents, and for leaders who listen before they speak."),
    ("VA", "Father, we pray for Virginia: for the men and women who serve in uniform and the "
           "families who wait for them, and for peace in every home tonight."),
]

# Conversations: (post slug, [(author email, body, reply-to index or None, minutes after post)])
CONVERSATIONS = [
    (
        "river-towns-begin-cleanup-after-spring-flood",
        [
            ("grace@intercessors.example", "Our small group is praying for the library director. Losing the local history shelves is a grief of its own.", None, 90),
            ("samuel@intercessors.example", "Amen. Our church sent a trailer of fans last week, and the thing people kept saying was *thank you for coming back*. Week six matters.", 0, 180),
            ("grace@intercessors.example", "That is such a good word. Praying for the volunteers who keep showing up after the cameras leave.", 1, 240),
            ("samuel@intercessors.example", "Praying Psalm 46 over every family on that river tonight: **a very present help in trouble**.", None, 300),
        ],
    ),
    (
        "rural-hospital-keeps-doors-open",
        [
            ("samuel@intercessors.example", "My grandmother was a nurse in a hospital just like this one. Praying for the night shift.", None, 60),
            ("grace@intercessors.example", "Praying for the students in that nursing program, that they would come home and stay.", 0, 120),
        ],
    ),
]

# State notes and calls: (code, note, coordinator, contact, [(title, weekday, "HH:MM", zone, join)])
STATE_PAGES = [
    (
        "TX",
        "Texas is wide and its needs are wide. This season we are praying especially for:\n\n"
        "- **Rain** for ranchers and farmers in the west of the state\n"
        "- **Border communities** and the churches serving newcomers\n"
        "- **Rural hospitals** keeping their doors open\n",
        "Maria Delgado",
        "Leave a message on the Texas prayer line: (512) 555-0142",
        [("Texas Tuesday prayer call", 1, "19:00", "America/Chicago",
          "Dial (512) 555-0199 and enter code 4417#. Everyone is welcome, even for ten minutes.")],
    ),
    (
        "OH",
        "Ohio members are praying for factory towns finding new work, for families caring for "
        "aging parents, and for the statehouse as the new session begins.",
        "Daniel Brooks",
        "Ask for Daniel at the Columbus office: (614) 555-0123",
        [("Ohio morning prayer", 3, "07:00", "America/New_York",
          "Join by phone at (614) 555-0177, code 2020#.")],
    ),
    (
        "VA",
        "Virginia is home to many who serve in uniform. Pray for military families, for "
        "veterans finding their footing, and for wisdom in Richmond.",
        "",
        "",
        [],
    ),
]

# Where the form on a state's page sends letters to its coordinator (never shown);
# Ohio's page has none and points to the contact page instead.
COORDINATOR_ADDRESSES = {"TX": "texas.coordinator@intercessors.example"}

# The prayer wall: (asker's email, state code or None for the nation, anonymous?,
# hours ago, category, text). Original, written for this demo.
REQUESTS = [
    ("grace@intercessors.example", "TX", False, 3, "family",
     "Please pray for my grandson Caleb, who leaves for basic training next week. "
     "Pray for courage, good friends and a steady heart."),
    ("samuel@intercessors.example", "OH", True, 7, "comfort",
     "Our small church lost its pastor to cancer this spring. Pray for the family he "
     "left, and for the elders choosing who will shepherd us next."),
    ("grace@intercessors.example", None, False, 20, "other",
     "For everyone who works the night shift: nurses, truckers, officers and "
     "cleaners. Pray for safe roads home and real rest."),
    ("samuel@intercessors.example", "OH", False, 30, "provision",
     "The plant in our town is cutting a shift. Pray for the forty families who "
     "will hear the news on Friday, and for work to open up."),
    ("grace@intercessors.example", "TX", True, 52, "health",
     "I am caring for my mother, who no longer knows my name most days. Pray for "
     "patience, and for moments when she does."),
    ("samuel@intercessors.example", "OH", False, 200, "provision",
     "My daughter has been out of work since the spring. Pray that a door opens "
     "for her before winter."),
]

# What requesters later told: (request's index in REQUESTS, hours ago, answered, text).
REQUEST_UPDATES = [
    (3, 10, False, "The news came on Friday: twenty-two families lose the shift. "
     "Thank you for praying; please keep on."),
    (5, 150, False, "She has two interviews this week, both close to home."),
    (5, 30, True, "She starts at the county library on Monday! Thank you, every one "
     "of you who prayed."),
]
