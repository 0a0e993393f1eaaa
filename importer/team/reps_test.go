package team

const envRepDriver = "LEADS_TEAM_TEST_REP"

func repDriver() int { return 0 }
