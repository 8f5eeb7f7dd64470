using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Baton.AI.Planning;

/// <summary>Runs an <see cref="AIFunction"/> as an agent: the input's properties are its arguments, its return value the output.</summary>
internal sealed class FunctionSkillAgent(AIFunction function) : IAgent
{
    public string Name => function.Name;

    public async ValueTask<AgentResult> InvokeAsync(Payload input, IStepContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var arguments = new AIFunctionArguments { Services = context?.Services };
        if (!input.IsEmpty)
        {
            var json = input.AsJson();
            if (json.ValueKind != JsonValueKind.Object)
            {
                return AgentResult.Failure(new StepError(ErrorKind.Recoverable, $"skill '{Name}' takes a JSON object of arguments, not {json.ValueKind.ToString().ToLowerInvariant()}") { Code = "bad_args" });
            }

            foreach (var property in json.EnumerateObject()) arguments[property.Name] = property.Value.Clone();
        }

        object? result;
        try
        {
            result = await function.InvokeAsync(arguments, cancellationToken).ConfigureAwait(false);
        }
        catch (ArgumentException ex)
        {
            // The arguments did not bind to the function's parameters: the plan's fault, not a crash.
            throw new AgentException(ErrorKind.Recoverable, $"skill '{Name}' could not take its arguments: {ex.Message}", ex) { Code = "bad_args" };
        }

        return AgentResult.Success(result switch
        {
            null => Payload.Empty,
            Payload payload => payload,
            JsonElement element => Payload.FromJson(element),
            string text => Payload.FromText(text),
            _ => Payload.From(result),
        });
    }

    public override string ToString() => Name;
}
