namespace Optimizer.Compiler.Tests.Isa;

/// <summary>Entry point: the test host never calls it; the ISA tests start this assembly as a child process.</summary>
public static class ProbeProgram
{
    /// <summary>Runs the probe (see <see cref="IsaProbe"/>) when started with "probe".</summary>
    public static int Main(string[] args) => args is ["probe", var outputFolder] ? IsaProbe.Run(outputFolder) : 2;
}
