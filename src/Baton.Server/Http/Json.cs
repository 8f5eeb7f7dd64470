using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Baton.Server.Http;

/// <summary>JSON answers, written as reports are (non-ASCII text kept as it is).</summary>
internal static class Json
{
    public static IResult Result(JsonNode? body, int status = StatusCodes.Status200OK) =>
        Results.Content(body?.ToJsonString(Reports.RunReport.Indented) ?? "null", "application/json; charset=utf-8", Encoding.UTF8, status);
}
