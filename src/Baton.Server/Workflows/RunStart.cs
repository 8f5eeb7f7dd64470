using System.Text.Json.Nodes;

namespace Baton.Server.Workflows;

/// <summary>
/// Starting a run of an offered workflow, as the API (<c>POST /api/runs</c>) and the MCP tools do it: the inputs are
/// checked, the file is built and its models' keys are looked for before anything is stored, so a refused start
/// changes nothing.
/// </summary>
internal static class RunStart
{
    /// <summary>
    /// The started run (its events followed by the server's archives), or why it could not start. A server with an
    /// executor hands the run to it (a cluster's workers) and returns once the run is stored there.
    /// </summary>
    public static async Task<RunStartResult> StartAsync(BatonServer server, OfferedWorkflow offered, JsonNode? inputs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(offered);
        var (input, problems) = RunInputs.Check(offered.Document.Inputs, inputs);
        if (input is null) return RunStartResult.Refused("invalid_inputs", $"the inputs of '{offered.Name}' are not valid", problems);
        var built = server.Build(offered.Bundle, out var fileProblems);
        if (built is null) return RunStartResult.Refused("invalid_workflow", $"workflow '{offered.Name}' cannot run", [.. fileProblems.Select(p => p.ToString())]);
        foreach (var model in built.Document.Models.Values)
        {
            // A model that cannot be called without a key fails now, saying what to set, not after the run started.
            if (model.SettingsAs<Baton.AI.OpenAiCompatibleOptions>()?.MissingApiKey() is { } missing) return RunStartResult.Refused("invalid_workflow", missing, []);
        }

        var options = new RunOptions { Source = offered.Bundle.Main, Definition = offered.Bundle.ToJson() };
        if (server.Executor is { } executor)
        {
            var runId = await executor.StartAsync(built.Workflow, input, options, cancellationToken).ConfigureAwait(false);
            await server.Archives.FollowStoredAsync(runId, cancellationToken).ConfigureAwait(false);
            return new RunStartResult(runId, null, null, "", []);
        }

        var handle = server.Runtime.Start(built.Workflow, input, options);
        server.Archives.Follow(handle);
        return new RunStartResult(handle.RunId, handle, null, "", []);
    }
}
