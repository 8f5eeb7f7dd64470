using System.Text.Json.Nodes;
using Baton.Server.Workflows;
using Microsoft.AspNetCore.Http;

namespace Baton.Server.Http;

/// <summary><c>GET /api/workflows</c> and <c>POST /api/runs</c>: the files offered, and starting a run of one.</summary>
internal static class WorkflowEndpoints
{
    public static IResult List(BatonServer server) =>
        Json.Result(new JsonArray([.. server.Catalog.Workflows.Select(w => (JsonNode)w.ToJson())]));

    /// <summary>Starts a run of an offered workflow: 202 <c>{ runId }</c>; its inputs are checked first (400 with every problem).</summary>
    public static async Task<IResult> StartAsync(BatonServer server, HttpContext http)
    {
        var body = await RequestBody.ReadObjectAsync(http.Request, server.Options.MaxRequestBodyBytes, http.RequestAborted).ConfigureAwait(false);
        if (body["workflow"] is not JsonValue name || !name.TryGetValue<string>(out var workflowName) || workflowName.Length == 0)
        {
            throw ApiError.BadRequest("invalid_body", "the body must name the workflow to run: { \"workflow\": NAME, \"inputs\": { ... } }");
        }

        var offered = server.Catalog.Find(workflowName);
        if (offered is null)
        {
            var names = server.Catalog.Workflows.Select(w => w.Name).ToArray();
            var near = Suggestions.Closest(workflowName, names) is { } n ? $"; did you mean '{n}'?" : "";
            throw ApiError.BadRequest("unknown_workflow", $"there is no workflow '{workflowName}'{near}; this server offers {(names.Length == 0 ? "none" : string.Join(", ", names))}");
        }

        var started = await RunStart.StartAsync(server, offered, body["inputs"], http.RequestAborted).ConfigureAwait(false);
        if (started.RunId is not { } runId) throw Invalid(started.Code!, started.Message, started.Problems);
        // The run's record is in the store once the run says it started (or that it could not): a client that asks for
        // the run right after this answer finds it, not a 404. A run handed on is stored before its start returns.
        if (started.Handle is { } handle)
        {
            await foreach (var _ in handle.WatchAsync(http.RequestAborted).ConfigureAwait(false)) break;
        }

        return Json.Result(new JsonObject { ["runId"] = runId }, StatusCodes.Status202Accepted);
    }

    private static ApiError Invalid(string code, string message, IReadOnlyList<string> problems) =>
        new(StatusCodes.Status400BadRequest, code, problems.Count == 0 ? message : $"{message}: {string.Join("; ", problems)}")
        {
            Details = new JsonObject { ["problems"] = new JsonArray([.. problems.Select(p => (JsonNode)JsonValue.Create(p))]) },
        };
}
