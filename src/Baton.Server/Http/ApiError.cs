using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Baton.Server.Http;

/// <summary>A request the API refuses: answered <c>{ "error": { "message", "code" } }</c> with <see cref="Status"/>.</summary>
internal sealed class ApiError(int status, string code, string message) : Exception(message)
{
    public int Status { get; } = status;

    public string Code { get; } = code;

    /// <summary>Extra members of the error object (e.g. every problem of the inputs).</summary>
    public JsonObject? Details { get; init; }

    public IResult ToResult()
    {
        var error = new JsonObject { ["message"] = Message, ["code"] = Code };
        foreach (var (name, value) in Details ?? []) error[name] = value?.DeepClone();
        return Json.Result(new JsonObject { ["error"] = error }, Status);
    }

    public static ApiError BadRequest(string code, string message) => new(StatusCodes.Status400BadRequest, code, message);

    public static ApiError NotFound(string code, string message) => new(StatusCodes.Status404NotFound, code, message);

    public static ApiError Conflict(string code, string message) => new(StatusCodes.Status409Conflict, code, message);

    public static ApiError UnknownRun(string runId) => NotFound("unknown_run", $"there is no run '{runId}' in the store");
}
