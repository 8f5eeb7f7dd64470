using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Baton.AI.Planning;

/// <summary>
/// Plans and runs a goal on the engine: a plan step (a <see cref="PlannerAgent"/>, whose validated
/// plan is journaled as its output) followed by an execute step that runs the plan as a
/// <see cref="GraphStep"/>, its steps at once wherever their dependencies allow. A resumed run
/// re-uses the journaled plan and replays the plan steps that completed: it does not plan again.
/// </summary>
public static class Planner
{
    /// <summary>The id of the step that runs the plan.</summary>
    public const string ExecuteStepId = "execute";

    /// <summary>The id of the step that makes a new plan after one failed while running (<see cref="PlannerOptions.MaxExecutionReplans"/>).</summary>
    public const string ReplanStepId = "replan";

    /// <summary>
    /// A workflow that plans the goal (its input) and runs the plan; its output is the plan's
    /// output step's output (or every step's output by id). With
    /// <see cref="PlannerOptions.MaxExecutionReplans"/> above 0, a plan that fails while running is
    /// replaced by a new one, made with the failure and the outputs already computed.
    /// </summary>
    public static Workflow Build(string name, IChatClient chatClient, SkillRegistry skills, PlannerOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var planner = new PlannerAgent(chatClient, skills, options);
        var execute = ExecuteStep(ExecuteStepId, skills, planner.Options.MaxParallel);
        var builder = new WorkflowBuilder(name)
            .Describe("Plans a goal over registered skills and runs the plan as a graph.")
            .AddStep(planner, planner.Name)
            .AddStep(execute)
            .AddEdge(planner.Name, ExecuteStepId);
        if (planner.Options.MaxExecutionReplans > 0)
        {
            // A loop through the journal: execute fails -> replan -> execute, bounded by the plan's revision.
            builder.AddStep(new ReplanAgent(planner), ReplanStepId)
                .OnError(ExecuteStepId, ReplanStepId)
                .AddEdge(ReplanStepId, ExecuteStepId);
        }

        return builder.Build();
    }

    /// <summary>
    /// A step that runs the plan in its input (a planner's output) as a graph: one node per plan
    /// step, keyed by the step's id, whose input is the step's arguments with references substituted
    /// and checked against the skill's schema. A plan that does not fit the skills fails the step
    /// (code <c>invalid_graph</c>).
    /// </summary>
    public static GraphStep ExecuteStep(string id, SkillRegistry skills, int? maxParallel = null)
    {
        ArgumentNullException.ThrowIfNull(skills);
        var validator = new PlanValidator(skills, int.MaxValue);
        return new GraphStep(id, input => ToGraph(Plan.FromPayload(input), validator)) { MaxParallel = maxParallel };
    }

    /// <summary>The graph a plan runs as.</summary>
    internal static GraphBuilder ToGraph(Plan plan, PlanValidator validator)
    {
        var graph = new GraphBuilder("plan");
        foreach (var step in plan.Steps)
        {
            if (!validator.Skills.TryGet(step.Skill, out var skill))
            {
                // A tool of a source (an MCP server the run starts) is found, and its arguments checked, when the step runs.
                if (validator.Skills.Sources.Count == 0) throw new InvalidOperationException($"step '{step.Id}' uses unknown skill '{step.Skill}'");
                graph.Node(step.Id, new SourceSkillAgent(validator.Skills, step.Skill), step.DependsOn, inputs => PlanReferences.Substitute(step.Args, inputs.Dependencies));
                continue;
            }

            graph.Node(step.Id, skill.Agent, step.DependsOn, inputs =>
            {
                var args = PlanReferences.Substitute(step.Args, inputs.Dependencies);
                // The referenced outputs are known now: the arguments must fit the skill's schema as a whole.
                var problems = validator.CheckArguments(skill, args.AsJson());
                if (problems.Count > 0) throw new ArgumentException($"the arguments do not fit skill '{skill.Name}': {string.Join("; ", problems)}");
                return args;
            });
        }

        if (plan.Output is { } output) graph.Output(output);
        return graph;
    }

    /// <summary>Runs a skill that is a tool of one of the registry's sources, found among the run's tools when the step runs.</summary>
    private sealed class SourceSkillAgent(SkillRegistry skills, string skill) : IAgent
    {
        public string Name => skill;

        public async ValueTask<AgentResult> InvokeAsync(Payload input, IStepContext context, CancellationToken cancellationToken)
        {
            var resolved = await skills.ResolveAsync(context, cancellationToken).ConfigureAwait(false);
            if (!resolved.TryGet(skill, out var found))
            {
                return AgentResult.Failure(new StepError(ErrorKind.Recoverable,
                    $"there is no skill '{skill}' in this run (the skills are: {string.Join(", ", resolved.Skills.Select(s => s.Name))})") { Code = "invalid_graph" });
            }

            var problems = new PlanValidator(resolved, int.MaxValue).CheckArguments(found, input.AsJson());
            if (problems.Count > 0)
            {
                return AgentResult.Failure(new StepError(ErrorKind.Recoverable, $"the arguments do not fit skill '{skill}': {string.Join("; ", problems)}") { Code = "bad_args" });
            }

            return await found.Agent.InvokeAsync(input, context, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Makes a new plan after the running one failed: its input is the failure envelope <c>{ error, partial }</c>.</summary>
    private sealed class ReplanAgent(PlannerAgent planner) : IAgent
    {
        public string Name => planner.Name + "-again";

        public async ValueTask<AgentResult> InvokeAsync(Payload input, IStepContext context, CancellationToken cancellationToken)
        {
            var envelope = input.AsJson();
            var error = envelope.GetProperty("error");
            var partial = envelope.TryGetProperty("partial", out var p) ? p : default;
            // The latest plan: the previous replan's output, else the first plan's.
            var latest = partial.ValueKind == JsonValueKind.Object && partial.TryGetProperty(ReplanStepId, out var replanned) ? replanned
                : partial.ValueKind == JsonValueKind.Object && partial.TryGetProperty(planner.Name, out var first) ? first
                : default;
            var previous = latest.ValueKind == JsonValueKind.Undefined ? null : Plan.FromPayload(Payload.FromJson(latest));
            var message = error.TryGetProperty("message", out var m) ? m.GetString() : "the plan failed";
            var revision = (previous?.Revision ?? 0) + 1;
            if (revision > planner.Options.MaxExecutionReplans)
            {
                return AgentResult.Failure(new StepError(ErrorKind.Recoverable,
                    $"{revision} plan(s) failed while running; the last failure: {message}", null, input) { Code = "plan_failed" });
            }

            var request = new StringBuilder();
            request.Append("Goal:\n").Append(previous?.Goal).Append("\n\n");
            request.Append("This plan failed while running:\n").Append(previous?.ToPayload().AsText()).Append('\n');
            request.Append("Failure: ").Append(message).Append('\n');
            if (partial.ValueKind == JsonValueKind.Object && partial.TryGetProperty(ExecuteStepId, out var done) && done.ValueKind == JsonValueKind.Object)
            {
                request.Append("Outputs of the steps that completed (write them into the new plan's arguments rather than running those steps again):\n")
                    .Append(done.GetRawText()).Append('\n');
            }

            request.Append("\nMake a new plan that reaches the goal despite the failure.");
            var validator = await planner.ValidatorForAsync(context, cancellationToken).ConfigureAwait(false);
            return await planner.PlanAsync(validator, previous?.Goal ?? string.Empty, request.ToString(), revision, cancellationToken).ConfigureAwait(false);
        }
    }
}
