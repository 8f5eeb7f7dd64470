using System.Text.RegularExpressions;

namespace Baton.AI;

/// <summary>A scripted rule: when <see cref="Match"/> matches the instructions, a newline and the input, the model replies <see cref="Reply"/>.</summary>
public sealed record ScriptedRule
{
    /// <summary>Creates a rule; the pattern is checked now, so a bad one fails where it is written.</summary>
    /// <exception cref="ArgumentException">The pattern is not a valid regular expression.</exception>
    public ScriptedRule(string match, ScriptedReply reply)
    {
        ArgumentNullException.ThrowIfNull(match);
        ArgumentNullException.ThrowIfNull(reply);
        Match = match;
        Reply = reply;
        // A bounded match time: a pathological pattern in a workflow file must not hang a run.
        Regex = new Regex(match, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
    }

    /// <summary>The regular expression.</summary>
    public string Match { get; }

    /// <summary>What the model replies when it matches.</summary>
    public ScriptedReply Reply { get; }

    internal Regex Regex { get; }
}
