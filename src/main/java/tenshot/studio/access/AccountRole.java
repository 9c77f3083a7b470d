package tenshot.studio.access;

/** What an account may do. Visitors have no account: they see the public leaderboard only. */
public enum AccountRole {
    /** Runs the challenge: datasets, hidden splits, quotas, reveals, invitations. */
    ORGANISER,
    /** Works in one team: its style sets, runs and scorecards. */
    MEMBER;

    public String dbName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public static AccountRole fromDb(String value) {
        return valueOf(value.toUpperCase(java.util.Locale.ROOT));
    }
}
