using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Baton.AI.Planning;

/// <summary>
/// Runs an <see cref="AIFunction"/> as an agent: the input's properties are its arguments, its return value the output.
/// A tool that needs approval asks first (durably, as an <c>ask</c> step does) and fails the plan step, code
/// <c>tool_refused</c>, when the answer is not yes, so the planner hears of it when it re-plans; an
/// <see cref="AgentTool"/> runs its agent inside the plan step, journaled with it.
/// </summary>
internal sealed class FunctionSkillAgent(AIFunction function) : IAgent
{
    public string Name => function.Name;

    public async ValueTask<AgentResult> InvokeAsync(Payload input, IStepContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(context);
        var values = new Dictionary<string, object?>(StringComparer.Ordinal);
        if (!input.IsEmpty)
        {
            var json = input.AsJson();
            if (json.ValueKind != JsonValueKind.Object)
            {
                return AgentResult.Failure(new StepError(ErrorKind.Recoverable, $"skill '{Name}' takes a JSON object of arguments, not {json.ValueKind.ToString().ToLowerInvariant()}") { Code = "bad_args" });
            }

            foreach (var property in json.EnumerateObject()) values[property.Name] = property.Value.Clone();
        }

        if (ToolApproval.IsRequired(function) && await ToolApproval.RefusalAsync(function, values, context, cancellationToken).ConfigureAwait(false) is { } refused)
        {
            // Fail closed: the step fails, so nothing that depends on the tool's output runs either.
            return AgentResult.Failure(new StepError(ErrorKind.Recoverable, $"the call to tool '{Name}' was refused: {refused}") { Code = "tool_refused" });
        }

        if (function.GetService<AgentTool>() is { } agentTool)
        {
            // The plan step is the agent's step: a workflow agent nests under it.
            return await agentTool.Agent.InvokeAsync(AgentTool.InputOf(values), context, cancellationToken).ConfigureAwait(false);
        }

        object? result;
        try
        {
            result = await function.InvokeAsync(ModelAgent.ArgumentsFor(values, context), cancellationToken).ConfigureAwait(false);
        }
        catch (ArgumentException ex)
        {
            // The arguments did not bind to the function's parameters: the plan's fault, not a crash.
            throw new AgentException(ErrorKind.Recoverable, $"skill '{Name}' could not take its arguments: {ex.Message}", ex) { Code = "bad_args" };
        }

        return AgentResult.Success(ToolResults.ToPayload(result));
    }

    public override string ToString() => Name;
}
