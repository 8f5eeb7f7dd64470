using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Baton.Benchmarks.Shapes;

namespace Baton.Benchmarks.Suites;

/// <summary>
/// A planner-led team of 20 rounds (a manager turn and a member turn each, then the manager's answer), on C# agents that
/// answer at once, beside the same calls in a plain loop that builds the same inputs and parses the same replies: what
/// a team round costs over the agents themselves.
/// </summary>
/// <remarks>Not sealed: BenchmarkDotNet's generated runner derives from it.</remarks>
public class TeamSuite
{
    /// <summary>Rounds that assign a member; one more answers.</summary>
    public const int Rounds = 20;

    private static readonly DirectContext Context = DirectContext.Instance;
    private BatonRuntime _runtime = null!;
    private Workflow _team = null!;
    private IAgent _manager = null!;
    private IAgent[] _members = null!;
    private readonly Payload _input = Payload.FromText("the task");

    /// <summary>Builds both sides once and checks one run of each.</summary>
    [GlobalSetup]
    public void Setup()
    {
        // The manager decides by how far the ledger got: members in turn, then done.
        _manager = Agent.Create("manager", input =>
        {
            var done = input.AsJson().GetProperty("ledger").GetArrayLength();
            return done < Rounds
                ? Payload.From(new { next = done % 2 == 0 ? "a" : "b", instruction = $"step {done}" })
                : Payload.From(new { next = "done", answer = "finished" });
        });
        _members = [Agent.Create("a", _ => "A did it"), Agent.Create("b", _ => "B did it")];
        _team = new TeamBuilder("team").Manager(_manager).Members(_members).MaxRounds(Rounds + 1).Build();
        _runtime = BatonShapes.NewRuntime();
        Suite.Check(async () =>
        {
            var result = await BatonShapes.RunCheckedAsync(_runtime, _team, _input, o => o.AsText() == "finished");
            Suite.Expect(result.StepCount == 2 * Rounds + 2, $"Baton team: {result.StepCount} steps");
            Suite.Expect((await Raw()).AsText() == "finished", "raw team loop");
        });
    }

    /// <summary>Ends the runtime.</summary>
    [GlobalCleanup]
    public void Cleanup() => _runtime.DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>Baton: the team step, every turn a journaled child step.</summary>
    [Benchmark(Baseline = true, Description = Suite.Baton)]
    public Task<RunResult> Baton() => _runtime.RunAsync(_team, _input);

    /// <summary>The same calls in a loop: the manager's input as JSON with a growing ledger, its reply parsed, the member called.</summary>
    [Benchmark(Description = Suite.Raw)]
    public async Task<Payload> Raw()
    {
        var ledger = new List<object>();
        var messages = new List<object>();
        while (true)
        {
            var reply = await _manager.InvokeAsync(Payload.From(new { task = "the task", messages, ledger }), Context, CancellationToken.None);
            var json = reply.Output.AsJson();
            var next = json.GetProperty("next").GetString()!;
            if (next == "done") return Payload.FromText(json.GetProperty("answer").GetString()!);
            var instruction = json.GetProperty("instruction").GetString()!;
            messages.Add(new { from = "manager", text = instruction });
            var member = _members[next == "a" ? 0 : 1];
            var answer = await member.InvokeAsync(Payload.From(new { task = "the task", messages, instruction }), Context, CancellationToken.None);
            messages.Add(new { from = next, text = answer.Output.AsText() });
            ledger.Add(new { next, instruction, status = "answered" });
        }
    }
}
