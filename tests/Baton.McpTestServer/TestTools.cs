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

    /// <summary>The server's process id, so a test can see which process answered and when it stops.</summary>
    [McpServerTool(Name = "pid"), Description("Returns the server's process id.")]
    public static int Pid() => Environment.ProcessId;

    /// <summary>Ends the server's process in the middle of the call, as a crashing server would.</summary>
    [McpServerTool(Name = "die"), Description("Ends the server's process mid-call, to test a server that dies.")]
    public static string Die() => throw new InvalidOperationException(Exit());

    private static string Exit()
    {
        Environment.Exit(3);
        return "unreachable";
    }
}
