using System.Text.Json.Nodes;
using Baton.Yaml.Model.Steps;

namespace Baton.Yaml.Building.Steps;

/// <summary>
/// `foreach`: a step that evaluates the items (the expression sees the run state, so it runs as a step of its own),
/// then the engine's foreach over them. A list wider than the run's fan-out limit, or one whose items would obviously
/// use up the step limit, fails at the items step with the file's step id and the limit key to raise.
/// </summary>
internal sealed class ForEachKindBuilder : StepKindBuilder<ForEachDefinition>
{
    protected override Step Build(WorkflowDocumentBuilder builder, ForEachDefinition step)
    {
        var items = step.Items;
        var limits = builder.Limits;
        var stepsPerItem = MinimumSteps(step.Do);
        var scope = new WorkflowBuilder(step.Id)
            .AddStep(new AgentStep(Agent.Create("items", (input, context, _) =>
            {
                var list = items.EvaluateArray(Templating.Scope(input, input, null, context.State));
                if (CheckLimits(step.Id, list.Count, stepsPerItem, limits) is { } error) return new ValueTask<AgentResult>(AgentResult.Failure(error));
                return new ValueTask<AgentResult>(AgentResult.Success(ArrayOf(list)));
            }), "items"))
            .AddStep(new ForEachStep("each", builder.Scope("item", [step.Do])) { Merge = Merges.For(builder, step.Merge), MaxParallel = step.MaxParallel })
            .AddEdge("items", "each")
            .Build();
        return new AgentStep(scope.AsAgent(), step.Id);
    }

    /// <summary>Why a foreach of <paramref name="count"/> items cannot run within the limits, naming the file's step and the key to raise; null when it can.</summary>
    internal static StepError? CheckLimits(string id, int count, int stepsPerItem, RunLimits limits)
    {
        if (count > limits.MaxFanOut)
        {
            return new StepError(ErrorKind.Fatal, $"foreach '{id}' has {count} items, over the fan-out limit of {limits.MaxFanOut}: raise 'maxFanOut' in the file's 'limits'", id) { Code = "fan_out" };
        }

        if ((long)count * stepsPerItem > limits.MaxSteps)
        {
            return new StepError(ErrorKind.Fatal,
                $"foreach '{id}' has {count} items of at least {stepsPerItem} step(s) each, more than the step limit of {limits.MaxSteps} allows: raise 'maxSteps' in the file's 'limits'", id) { Code = "step_limit" };
        }

        return null;
    }

    /// <summary>The fewest steps one run of <paramref name="step"/> takes: a sequence counts its steps, anything else at least one.</summary>
    internal static int MinimumSteps(StepDefinition step) => step switch
    {
        SequentialDefinition sequential => Math.Max(1, sequential.Steps.Sum(MinimumSteps)),
        _ => 1,
    };

    private static Payload ArrayOf(IReadOnlyList<Payload> items) =>
        Payload.ParseJson(new JsonArray([.. items.Select(i => i.Kind switch
        {
            PayloadKind.Empty => null,
            PayloadKind.Text => JsonValue.Create(i.AsText()),
            _ => JsonNode.Parse(i.ToString()),
        })]).ToJsonString());
}
