namespace Optimizer.Engine.Cli;

/// <summary>Just enough option parsing for <c>--name value</c> and <c>--name=value</c>.</summary>
public static class ArgumentReader
{
    public static string? Value(IReadOnlyList<string> args, string name)
    {
        for (var i = 0; i < args.Count; i++)
        {
            if (args[i] == name && i + 1 < args.Count)
                return args[i + 1];
            if (args[i].StartsWith(name + "=", StringComparison.Ordinal))
                return args[i][(name.Length + 1)..];
        }

        return null;
    }
}
