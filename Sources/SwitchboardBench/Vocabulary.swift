/// Words the synthetic workspace is made of: names, titles, time zones, statuses, channel
/// names and sentences, so that profiles and messages have realistic sizes.
enum Vocabulary {
    static let firstNames = ["Ada", "Alan", "Grace", "Linus", "Margaret", "Dennis", "Barbara", "Ken", "Frances", "Edsger",
                             "Radia", "Tim", "Katherine", "Donald", "Hedy", "John", "Sophie", "Guido", "Annie", "Bjarne",
                             "Joan", "Niklaus", "Mary", "Leslie", "Karen", "Vint", "Adele", "Yukihiro", "Jean", "Rasmus",
                             "Shafi", "Whitfield"]
    static let lastNames = ["Lovelace", "Turing", "Hopper", "Torvalds", "Hamilton", "Ritchie", "Liskov", "Thompson", "Allen",
                            "Dijkstra", "Perlman", "Berners-Lee", "Johnson", "Knuth", "Lamarr", "McCarthy", "Wilson", "Rossum",
                            "Easley", "Stroustrup", "Clarke", "Wirth", "Keller", "Lamport", "Spärck Jones", "Cerf", "Goldberg",
                            "Matsumoto", "Sammet", "Lerdorf", "Goldwasser", "Diffie"]
    static let titles = ["Software Engineer", "Senior Software Engineer", "Staff Engineer", "Engineering Manager",
                         "Product Manager", "Product Designer", "Data Scientist", "Site Reliability Engineer",
                         "Support Specialist", "Account Executive", "Recruiter", "Technical Writer", "QA Engineer",
                         "Security Engineer", "Director of Engineering", "Customer Success Manager"]
    static let timeZones = ["America/New_York", "America/Chicago", "America/Los_Angeles", "Europe/London", "Europe/Paris",
                            "Europe/Berlin", "Asia/Tokyo", "Asia/Singapore", "Australia/Sydney", "America/Sao_Paulo"]
    static let statuses: [(String, String)] = [("In a meeting", ":calendar:"), ("Commuting", ":bus:"),
                                               ("Out sick", ":face_with_thermometer:"), ("Vacationing", ":palm_tree:"),
                                               ("Focus time", ":headphones:"), ("On call", ":pager:"), ("", "")]
    static let topics = ["eng", "design", "sales", "support", "ops", "data", "mobile", "web", "infra", "security", "hiring",
                         "marketing", "finance", "legal", "growth", "research", "platform", "billing", "search", "api"]
    static let suffixes = ["team", "standup", "alerts", "help", "random", "announcements", "launch", "planning", "review",
                           "oncall", "incidents", "builds", "feedback", "social", "watercooler", "releases"]
    static let sentences = ["Shipping the new build to staging now.", "Can someone review my pull request?",
                            "The dashboard looks good after the fix.", "Lunch at noon, anyone?",
                            "Reminder: the planning meeting moved to 3pm.", "I pushed a patch for the flaky test.",
                            "Customers are asking about the export feature.", "Latency is back under 50 ms at p99.",
                            "Who owns the billing service this week?", "Great work on the launch, everyone!",
                            "The migration finished overnight without errors.", "Let's pair on this after standup.",
                            "Docs for the new API are up for review.", "Heads up: the deploy window starts in 10 minutes.",
                            "I'll take the on-call swap on Friday.", "Retro notes are in the shared folder."]
    static let emoji = ["thumbsup", "tada", "eyes", "rocket", "white_check_mark", "heart", "joy", "pray"]
}
