package tenshot.studio.access;

/** What an account may do. Visitors have no account: they see the public leaderboard only. */
public enum AccountRole {
    /** Runs the challenge: datasets, hidden splits, quotas, reveals, invitations. */
    ORGANISER,
    /** Works in one team: its style sets, runs and scorecards. */
    MEMBER;

    /** The security role of organisers' accounts, for {@code @RolesAllowed}: {@link #dbName()} of {@link #ORGANISER}. */
    public static final String ORGANISER_ROLE = "organiser";
    /** The security role of team members' accounts: {@link #dbName()} of {@link #MEMBER}. */
    public static final String MEMBER_ROLE = "member";

    public String dbName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public static AccountRole fromDb(String value) {
        return valueOf(value.toUpperCase(java.util.Locale.ROOT));
    }
}
