using System.Globalization;
using System.Text;

namespace Baton;

/// <summary>How votes describe answers in messages and in the JSON agents and people receive.</summary>
internal static class VoteText
{
    private const int MaxQuoted = 200;

    /// <summary>An answer on one line, quoted, shortened to a readable length.</summary>
    public static string Quote(Payload answer)
    {
        var text = answer.AsText();
        var line = new StringBuilder(Math.Min(text.Length, MaxQuoted) + 3).Append('"');
        var space = false;
        foreach (var c in text.AsSpan().Trim())
        {
            if (char.IsWhiteSpace(c))
            {
                space = true;
                continue;
            }

            if (line.Length > MaxQuoted)
            {
                line.Append('…');
                break;
            }

            if (space) line.Append(' ');
            space = false;
            line.Append(c);
        }

        return line.Append('"').ToString();
    }

    /// <summary><c>alice: "yes" (0.9)</c>.</summary>
    public static string Describe(Ballot ballot) =>
        ballot.Confidence is { } confidence
            ? $"{ballot.Voter}: {Quote(ballot.Answer)} ({confidence.ToString("0.###", CultureInfo.InvariantCulture)})"
            : $"{ballot.Voter}: {Quote(ballot.Answer)}";

    /// <summary>The ballots as a JSON array of <c>{ voter, answer, confidence }</c>, in voter order.</summary>
    public static Payload Ballots(IEnumerable<Ballot> ballots) =>
        JsonPayloads.Array(ballots.Select(b => JsonPayloads.Object(
        [
            new("voter", Payload.FromText(b.Voter)),
            new("answer", b.Answer),
            new("confidence", b.Confidence is { } c ? Payload.From(c) : null),
        ])));
}
