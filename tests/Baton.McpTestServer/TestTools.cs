using System.ComponentModel;
using ModelContextProtocol.Server;

namespace Baton.McpTestServer;

/// <summary>The tools the test server offers.</summary>
[McpServerToolType]
public sealed class TestTools
{
    /// <summary>Adds two numbers.</summary>
    [McpServerTool(Name = "add"), Description("Adds two integers.")]
    public static int Add([Description("The first number.")] int a, [Description("The second number.")] int b) => a + b;

    /// <summary>Returns its text.</summary>
    [McpServerTool(Name = "echo"), Description("Returns the text it is given.")]
    public static string Echo(string text) => text;

    /// <summary>Always fails.</summary>
    [McpServerTool(Name = "fail"), Description("Always fails, to test error handling.")]
    public static string Fail(string reason) => throw new InvalidOperationException($"fail was asked to fail: {reason}");
}
