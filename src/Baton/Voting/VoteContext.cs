using System.Globalization;
using System.Text.Json;

namespace Baton;

/// <summary>
/// What a <see cref="VoteStrategy"/> decides from: the ballots, the distinct answers, the vote's
/// settings, and the judge and the person it may consult. Judge and human calls are journaled
/// under the vote step's key (<c>judge</c>, <c>judge-2</c>…, <c>human</c>, <c>human-2</c>…), so a
/// resumed run replays their answers instead of asking again. Make such calls one after another:
/// their names are numbered in call order.
/// </summary>
public sealed class VoteContext
{
    private readonly VoteStep _step;
    private readonly StepContext _context;
    private int _judgeCalls;
    private int _humanCalls;

    internal VoteContext(VoteStep step, StepContext context, IReadOnlyList<Ballot> ballots, IReadOnlyList<Abstention> abstentions)
    {
        _step = step;
        _context = context;
        Ballots = ballots;
        Abstentions = abstentions;
        var groups = new Dictionary<string, List<Ballot>>(StringComparer.Ordinal);
        var candidates = new List<(string Key, List<Ballot> Ballots)>();
        foreach (var ballot in ballots)
        {
            var key = step.Equality.KeyOf(ballot.Answer);
            if (!groups.TryGetValue(key, out var group))
            {
                group = [];
                groups.Add(key, group);
                candidates.Add((key, group));
            }

            group.Add(ballot);
        }

        Candidates = candidates.Select(c => new VoteCandidate(c.Key, c.Ballots)).ToArray();
    }

    /// <summary>The vote step's id.</summary>
    public string StepId => _step.Id;

    /// <summary>What the voters were asked: the vote step's input.</summary>
    public Payload Question => _context.Input;

    /// <summary>The answers, in voter order (voters that failed are in <see cref="Abstentions"/>).</summary>
    public IReadOnlyList<Ballot> Ballots { get; }

    /// <summary>The voters that failed and cast no vote, in voter order.</summary>
    public IReadOnlyList<Abstention> Abstentions { get; }

    /// <summary>The distinct answers, in the order they were first given (voter order).</summary>
    public IReadOnlyList<VoteCandidate> Candidates { get; }

    /// <summary>How answers are compared.</summary>
    public AnswerEquality Equality => _step.Equality;

    /// <summary>How ties are settled.</summary>
    public VoteTieRule TieRule => _step.TieRule;

    /// <summary>
    /// Settles a tie between <paramref name="tied"/> by the vote's <see cref="TieRule"/>: the first
    /// given, the lexicographically first key, the judge, a person, or a failure (code <c>tie</c>).
    /// </summary>
    public ValueTask<VoteDecision> BreakTieAsync(IReadOnlyList<VoteCandidate> tied, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tied);
        if (tied.Count == 0) throw new ArgumentException("there is nothing to choose from", nameof(tied));
        if (tied.Count == 1) return new(VoteDecision.For(tied[0], "count"));
        return TieRule switch
        {
            VoteTieRule.First => new(VoteDecision.For(tied.MinBy(c => c.Ballots[0].Index)!, "first")),
            VoteTieRule.Lexicographic => new(VoteDecision.For(tied.OrderBy(c => c.Key, StringComparer.Ordinal).First(), "lexicographic")),
            VoteTieRule.Judge => AskJudgeAsync(tied, cancellationToken),
            VoteTieRule.Human => AskHumanAsync(tied, cancellationToken: cancellationToken),
            _ => new(VoteDecision.Fail($"the vote is tied between {tied.Count} answers: {string.Join("; ", tied)}", "tie")),
        };
    }

    /// <summary>
    /// Asks the vote's judge to pick among <paramref name="among"/>. The judge receives a JSON array of
    /// <c>{ voter, answer, confidence }</c> (the ballots for those answers, in voter order) and replies with
    /// <c>{ "voter": name }</c>, <c>{ "answer": …, "confidence": … }</c>, or the answer itself. A reply
    /// that matches one of the answers (by the vote's equality), or names a voter, picks that answer;
    /// anything else is the judge's own answer. A judge that fails fails the vote with its error.
    /// </summary>
    public async ValueTask<VoteDecision> AskJudgeAsync(IReadOnlyList<VoteCandidate> among, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(among);
        if (_step.JudgeWorkflow is not { } judge)
        {
            return VoteDecision.Fail(new StepError(ErrorKind.Fatal, $"vote '{StepId}' has no judge to ask: set one with VoteBuilder.Judge") { Code = "no_judge" });
        }

        var name = Numbered("judge", Interlocked.Increment(ref _judgeCalls));
        var input = VoteText.Ballots(among.SelectMany(c => c.Ballots).OrderBy(b => b.Index));
        var reply = await _context.RunChildAsync(judge, name, input, cancellationToken).ConfigureAwait(false);
        if (reply.Halt is not null) return VoteDecision.Halt(reply);
        if (!reply.IsSuccess)
        {
            var error = reply.Error!;
            return VoteDecision.Fail(error with { Message = $"the judge '{_step.Judge!.Name}' failed: {error.Message}", Code = error.Code ?? "judge", Partial = null });
        }

        var (answer, voter, confidence) = ReadJudgement(reply.Output);
        confidence ??= reply.Confidence;
        if (confidence is { } stated) confidence = double.IsNaN(stated) ? null : Math.Clamp(stated, 0, 1);
        if (voter is not null)
        {
            if (Candidates.FirstOrDefault(c => c.Ballots.Any(b => string.Equals(b.Voter, voter, StringComparison.OrdinalIgnoreCase))) is { } named)
            {
                return VoteDecision.For(named, "judge", confidence);
            }

            if (answer.IsEmpty) return VoteDecision.Fail($"the judge '{_step.Judge!.Name}' picked voter '{voter}', who gave no answer", "judge");
        }

        var key = Equality.KeyOf(answer);
        if (Candidates.FirstOrDefault(c => c.Key == key) is { } picked) return VoteDecision.For(picked, "judge", confidence);
        var text = answer.Kind == PayloadKind.Text ? answer.AsText().Trim() : null;
        if (text is not null && Candidates.FirstOrDefault(c => c.Ballots.Any(b => string.Equals(b.Voter, text, StringComparison.OrdinalIgnoreCase))) is { } byName)
        {
            return VoteDecision.For(byName, "judge", confidence);
        }

        return VoteDecision.Written(answer, "judge", confidence);
    }

    /// <summary>
    /// Asks a person to pick one of <paramref name="among"/> (its choices are the answers' texts) through
    /// <see cref="BatonRuntime.Humans"/>; the run is Waiting until it is answered, and cancelling the run
    /// cancels the wait. The request's details are <c>{ question, answers: [{ voter, answer, confidence }] }</c>.
    /// </summary>
    /// <param name="among">The answers to choose from.</param>
    /// <param name="prompt">What to ask; the vote's human prompt, or a question naming the step, when null.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    public async ValueTask<VoteDecision> AskHumanAsync(IReadOnlyList<VoteCandidate> among, string? prompt = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(among);
        if (among.Count == 0) throw new ArgumentException("there is nothing to choose from", nameof(among));
        var choices = among.Select(c => c.Answer.AsText()).ToArray();
        prompt ??= _step.HumanPrompt ?? $"The voters of '{StepId}' do not agree on {VoteText.Quote(Question)}: pick the answer.";
        var details = JsonPayloads.Object(
        [
            new("question", Question),
            new("answers", VoteText.Ballots(among.SelectMany(c => c.Ballots).OrderBy(b => b.Index))),
        ]);
        var request = Payload.From(new HumanQuestion(prompt, choices, details));
        var reply = await _context.RunChildAsync(_step.HumanWorkflow, Numbered("human", Interlocked.Increment(ref _humanCalls)), request, cancellationToken).ConfigureAwait(false);
        if (reply.Halt is not null) return VoteDecision.Halt(reply);
        if (!reply.IsSuccess) return VoteDecision.Fail(reply.Error! with { Message = $"asking a person failed: {reply.Error!.Message}", Partial = null });
        var chosen = reply.Output.AsText();
        var index = Array.FindIndex(choices, c => string.Equals(c, chosen, StringComparison.Ordinal));
        if (index < 0) index = Array.FindIndex(choices, c => string.Equals(c.Trim(), chosen.Trim(), StringComparison.OrdinalIgnoreCase));
        return index < 0
            ? VoteDecision.Fail($"the answer '{chosen}' is none of the choices", "human")
            : VoteDecision.For(among[index], "human");
    }

    /// <summary>A candidate's share of the votes cast.</summary>
    internal double ShareOfVotes(VoteCandidate candidate) => (double)candidate.Votes / Ballots.Count;

    private static string Numbered(string name, int call) =>
        call == 1 ? name : string.Concat(name, "-", call.ToString(CultureInfo.InvariantCulture));

    private static (Payload Answer, string? Voter, double? Confidence) ReadJudgement(Payload reply)
    {
        var json = reply;
        if (reply.Kind == PayloadKind.Text && reply.AsText().AsSpan().TrimStart() is ['{', ..])
        {
            try
            {
                json = Payload.ParseJson(reply.AsText());
            }
            catch (JsonException)
            {
                return (reply, null, null);
            }
        }

        if (json.Kind != PayloadKind.Json || json.AsJson() is not { ValueKind: JsonValueKind.Object } element) return (reply, null, null);
        double? confidence = element.TryGetProperty("confidence", out var c) && c.ValueKind == JsonValueKind.Number ? c.GetDouble() : null;
        var voter = element.TryGetProperty("voter", out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        var answer = element.TryGetProperty("answer", out var a) ? Payload.FromJson(a) : voter is null ? json : Payload.Empty;
        return (answer, voter, confidence);
    }
}
