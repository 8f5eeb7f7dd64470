using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Baton;

/// <summary>
/// A group chat: members take turns on one shared transcript, each seeing the task and every message so far. The next
/// speaker is the next member in order (round robin), or the one a manager agent names; the chat ends when the manager
/// answers <c>done</c>, when <see cref="Until"/> holds, or after <see cref="MaxTurns"/> turns. The output is the last
/// message. Every turn (and every manager's choice) is a child step, journaled and reported on its own, so a resumed
/// run replays the turns that completed and runs none of them again.
/// </summary>
public sealed class GroupChatStep : Step
{
    private readonly ConversationSpeaker[] _members;
    private readonly ConversationSpeaker? _manager;

    /// <summary>Creates the step.</summary>
    /// <param name="id">The step's id.</param>
    /// <param name="members">The members, in round-robin order; their names must differ.</param>
    /// <param name="manager">Picks each next speaker (answers a member's name or <c>done</c>); null for round robin.</param>
    /// <exception cref="ArgumentException">No member, two members of one name, or a manager that is also a member.</exception>
    public GroupChatStep(string id, IReadOnlyList<IAgent> members, IAgent? manager = null)
        : base(id)
    {
        ArgumentNullException.ThrowIfNull(members);
        if (members.Count == 0) throw new ArgumentException("a group chat needs at least one member", nameof(members));
        if (members.GroupBy(m => m.Name, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1) is { } twice)
        {
            throw new ArgumentException($"two members of the group chat are called '{twice.Key}'", nameof(members));
        }

        if (manager is not null && members.Any(m => string.Equals(m.Name, manager.Name, StringComparison.OrdinalIgnoreCase)))
        {
            throw new ArgumentException($"the manager '{manager.Name}' cannot also be a member", nameof(manager));
        }

        _members = [.. members.Select(m => new ConversationSpeaker(m.Name, m))];
        _manager = manager is null ? null : new ConversationSpeaker(manager.Name, manager);
    }

    /// <summary>The members' names, in order.</summary>
    public IReadOnlyList<string> Members => [.. _members.Select(m => m.Name)];

    /// <summary>The manager's name, or null for round robin.</summary>
    public string? ManagerName => _manager?.Name;

    /// <summary>The most turns (10 by default); the chat ends after the last.</summary>
    public int MaxTurns
    {
        get;
        init => field = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(MaxTurns), value, "a group chat needs at least one turn");
    } = 10;

    /// <summary>Ends the chat after a turn when it returns true; null to end only by the manager or <see cref="MaxTurns"/>.</summary>
    public Func<GroupChatProgress, bool>? Until { get; init; }

    /// <summary>What a member's failed turn does (<see cref="MemberFailure.Fail"/> by default).</summary>
    public MemberFailure OnMemberFailure { get; init; }

    /// <inheritdoc/>
    public override IEnumerable<(string Name, Workflow Workflow)> Children
    {
        get
        {
            if (_manager is not null) yield return ("manager", _manager.Workflow);
            foreach (var member in _members) yield return (member.Name, member.Workflow);
        }
    }

    internal override async ValueTask<AgentResult> ExecuteAsync(StepContext context, CancellationToken cancellationToken)
    {
        var transcript = Transcript.Start(context.Input);
        AgentResult? last = null;
        for (var turn = 1; turn <= MaxTurns; turn++)
        {
            var number = turn.ToString(CultureInfo.InvariantCulture);
            ConversationSpeaker speaker;
            if (_manager is null) speaker = _members[(turn - 1) % _members.Length];
            else
            {
                var (picked, failure) = await PickAsync(context, number, transcript, cancellationToken).ConfigureAwait(false);
                if (failure is { } stop) return stop;
                if (picked is null) break;
                speaker = picked;
            }

            var result = await speaker.TakeTurnAsync(context, number, transcript, null, cancellationToken).ConfigureAwait(false);
            if (result.Halt is not null) return result;
            if (!result.IsSuccess)
            {
                if (OnMemberFailure == MemberFailure.Fail) return Failed(result.Error!, transcript);
                continue;
            }

            // Members' usage was counted when each turn committed; the chat adds none of its own.
            transcript = transcript.With(new TranscriptMessage(speaker.Name, result.Output.AsText()));
            last = result;
            if (Until is { } until && until(new GroupChatProgress(result.Output, turn, transcript, context.State))) break;
        }

        if (last is not { } answer)
        {
            return AgentResult.Failure(new StepError(ErrorKind.Recoverable, $"group chat '{Id}' ended without a message: every turn failed, or the manager said done at once", Id, transcript.ToPayload())
            {
                Code = "no_message",
            });
        }

        return new AgentResult { Output = answer.Output, Confidence = answer.Confidence };
    }

    /// <summary>Asks the manager who speaks next; a name that is no member is sent back once with the reason.</summary>
    private async ValueTask<(ConversationSpeaker? Next, AgentResult? Failure)> PickAsync(StepContext context, string turn, Transcript transcript, CancellationToken cancellationToken)
    {
        var names = string.Join(", ", _members.Select(m => m.Name));
        var prompt = $"Who speaks next? Answer with exactly one of: {names}; or done when the conversation is over.";
        string? choice = null;
        for (var ask = 1; ask <= 2; ask++)
        {
            var members = new JsonArray([.. _members.Select(m => JsonValue.Create(m.Name))]);
            var input = ConversationSpeaker.Input(transcript, prompt, [KeyValuePair.Create<string, JsonNode?>("members", members)]);
            var picked = await _manager!.TakeTurnAsync(context, ask == 1 ? "next" + turn : $"next{turn}-again", input, cancellationToken).ConfigureAwait(false);
            if (picked.Halt is not null || !picked.IsSuccess) return (null, picked);
            choice = ReadChoice(picked.Output);
            if (string.Equals(choice, "done", StringComparison.OrdinalIgnoreCase)) return (null, null);
            if (_members.FirstOrDefault(m => string.Equals(m.Name, choice, StringComparison.OrdinalIgnoreCase)) is { } member) return (member, null);
            prompt = $"'{choice}' is not a member of this conversation. Answer with exactly one of: {names}; or done when the conversation is over.";
        }

        return (null, Failed(new StepError(ErrorKind.Recoverable,
            $"the manager '{_manager!.Name}' named '{choice}' twice, which is not a member ({names}) nor done{WorkflowBuilder.Suggest(choice ?? "", _members.Select(m => m.Name))}", Id)
        {
            Code = "unknown_member",
        }, transcript));
    }

    /// <summary>The manager's answer: text (its first line, without quotes or a final period) or <c>{ "next": name }</c>.</summary>
    internal static string ReadChoice(Payload output)
    {
        if (output.Kind == PayloadKind.Json && output.AsJson() is { ValueKind: JsonValueKind.Object } json && json.TryGetProperty("next", out var next))
        {
            return next.ValueKind == JsonValueKind.String ? next.GetString()!.Trim() : next.GetRawText();
        }

        var text = output.AsText().Trim();
        var line = text.Split('\n', 2)[0];
        return line.Trim().Trim('"', '\'', '.', '`', '*').Trim();
    }

    private AgentResult Failed(StepError error, Transcript transcript) =>
        AgentResult.Failure(error with { StepId = error.StepId ?? Id, Partial = error.Partial ?? transcript.ToPayload() });
}
