namespace Baton;

/// <summary>How a vote settles a tie between the leading answers.</summary>
public enum VoteTieRule
{
    /// <summary>The answer given first, in voter order (the default).</summary>
    First,

    /// <summary>
    /// The answer whose equality key sorts first (ordinal): independent of voter order, so
    /// shuffling the voters never changes the winner.
    /// </summary>
    Lexicographic,

    /// <summary>The vote's judge picks among the tied answers (or writes its own).</summary>
    Judge,

    /// <summary>A person picks among the tied answers (<see cref="BatonRuntime.Humans"/>).</summary>
    Human,

    /// <summary>The vote fails (code <c>tie</c>), naming the tied answers.</summary>
    Fail,
}
