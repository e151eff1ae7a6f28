namespace Optimizer.Tool;

/// <summary>What <c>onnx-opt</c> returns to the shell (documented in the README's CLI section).</summary>
public static class ExitCodes
{
    /// <summary>The command did what was asked.</summary>
    public const int Success = 0;

    /// <summary>A coded error (OPTxxxx on stderr): bad or unreadable model or data, a pass or comparison failed, <c>verify --max-drop</c> exceeded.</summary>
    public const int Failure = 1;

    /// <summary>The command line itself is wrong: unknown command or option, missing argument, bad value (OPT1050).</summary>
    public const int Usage = 2;
}
