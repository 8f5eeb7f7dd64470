using BenchmarkDotNet.Attributes;
using Baton.AI;
using Baton.Benchmarks.Shapes;
using Microsoft.Extensions.AI;

namespace Baton.Benchmarks.Suites;

/// <summary>
/// What a conversation costs per turn over the model call itself: a group chat and a handoff of two model agents on the
/// scripted chat client (each turn one model call), in Baton and in MAF's GroupChat and Handoff orchestrations.
/// </summary>
/// <remarks>Not sealed: BenchmarkDotNet's generated runner derives from it.</remarks>
public class ConversationSuite
{
    private readonly List<ChatMessage> _prompt = [new(ChatRole.User, Workload.Input)];
    private BatonRuntime _runtime = null!;
    private ScriptedChatClient _talker = null!;
    private ScriptedChatClient _mafPingPong = null!;
    private Workflow _groupChat = null!;
    private Workflow _plainChat = null!;
    private Workflow _handoff = null!;
    private Microsoft.Agents.AI.Workflows.Workflow _mafGroupChat = null!;
    private Microsoft.Agents.AI.Workflows.Workflow _mafHandoff = null!;

    /// <summary>Turns per conversation (a handoff: one less transfers, then the answer).</summary>
    [Params(10)]
    public int Turns { get; set; }

    /// <summary>Builds every side once and checks one run of each.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _talker = ConversationShapes.Talker();
        _runtime = BatonShapes.NewRuntime();
        _groupChat = ConversationShapes.BatonGroupChat(_talker, Turns);
        _plainChat = ConversationShapes.BatonPlainGroupChat(Turns);
        _handoff = ConversationShapes.BatonHandoff(ConversationShapes.PingPong(Turns, HandoffTarget.ToolPrefix), Turns);
        _mafGroupChat = ConversationShapes.MafGroupChat(_talker, Turns);
        _mafPingPong = ConversationShapes.PingPong(Turns, ConversationShapes.MafHandoffPrefix);
        _mafHandoff = ConversationShapes.MafHandoff(_mafPingPong);
        Suite.Check(async () =>
        {
            await BatonShapes.RunCheckedAsync(_runtime, _groupChat, Payload.FromText(Workload.Input), o => o.AsText() == ConversationShapes.Answer);
            await BatonShapes.RunCheckedAsync(_runtime, _plainChat, Payload.FromText(Workload.Input), o => o.AsText() == ConversationShapes.Answer);
            await BatonShapes.RunCheckedAsync(_runtime, _handoff, Payload.FromText(Workload.Input), o => o.AsText() == ConversationShapes.Answer);
            Suite.Expect(await MafGroupChat() == ConversationShapes.Answer, "MAF group chat");
            Suite.Expect(await MafHandoff() == ConversationShapes.Answer, "MAF handoff");
        });
    }

    /// <summary>Ends the runtime.</summary>
    [GlobalCleanup]
    public void Cleanup() => _runtime.DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>The model calls alone: one call to the scripted client per turn.</summary>
    [Benchmark(Baseline = true, Description = "Model calls alone")]
    public async Task<string> ModelCalls()
    {
        var text = "";
        for (var i = 0; i < Turns; i++) text = (await _talker.GetResponseAsync(_prompt).ConfigureAwait(false)).Text;
        return text;
    }

    /// <summary>Baton: a round-robin group chat of two model agents.</summary>
    [Benchmark(Description = "Baton group chat")]
    public Task<RunResult> BatonGroupChat() => _runtime.RunAsync(_groupChat, Payload.FromText(Workload.Input));

    /// <summary>
    /// Diagnostic, not a side of the comparison: the same group chat with C# members answering at once (no model agent,
    /// no model call), to tell the conversation's own cost per turn from the model agent's.
    /// </summary>
    [Benchmark(Description = "Baton group chat, C# members")]
    public Task<RunResult> BatonPlainGroupChat() => _runtime.RunAsync(_plainChat, Payload.FromText(Workload.Input));

    /// <summary>MAF: the GroupChat orchestration with a round-robin manager.</summary>
    [Benchmark(Description = "MAF group chat")]
    public Task<string> MafGroupChat() => ConversationShapes.RunMafAsync(_mafGroupChat, Workload.Input);

    /// <summary>Baton: a handoff passed back and forth, then answered.</summary>
    [Benchmark(Description = "Baton handoff")]
    public Task<RunResult> BatonHandoff() => _runtime.RunAsync(_handoff, Payload.FromText(Workload.Input));

    /// <summary>MAF: the Handoff orchestration passed back and forth, then answered.</summary>
    [Benchmark(Description = "MAF handoff")]
    public Task<string> MafHandoff()
    {
        // MAF's agents pass no run id to the model, so the scripted count is shared: each run starts it again.
        _mafPingPong.ForgetRun("");
        return ConversationShapes.RunMafAsync(_mafHandoff, Workload.Input);
    }
}
