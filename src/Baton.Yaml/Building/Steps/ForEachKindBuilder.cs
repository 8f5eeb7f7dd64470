using Baton.Yaml.Model.Steps;

namespace Baton.Yaml.Building.Steps;

/// <summary>
/// `foreach`: the engine's foreach step, whose items are the expression's value (it sees the input and the run
/// state), so each item's steps are reported as <c>foreach/2/up</c>. A list wider than the run's fan-out limit, or one
/// whose items would obviously use up the step limit, fails the step with the file's step id and the limit key to raise.
/// </summary>
internal sealed class ForEachKindBuilder : StepKindBuilder<ForEachDefinition>
{
    protected override Step Build(WorkflowDocumentBuilder builder, ForEachDefinition step)
    {
        var items = step.Items;
        var limits = builder.Limits;
        var stepsPerItem = MinimumSteps(step.Do);
        return new ForEachStep(step.Id, builder.Scope("item", [step.Do]), (input, context) =>
        {
            var list = items.EvaluateArray(Templating.Scope(input, input, null, context.State));
            if (CheckLimits(step.Id, list.Count, stepsPerItem, limits) is { } error) throw new AgentException(error.Kind, error.Message) { Code = error.Code };
            return list;
        })
        {
            Merge = Merges.For(builder, step.Merge),
            MaxParallel = step.MaxParallel,
        };
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
}
