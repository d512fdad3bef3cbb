//! The fixed set of PowerShell scripts the provider runs. A script is sent on stdin as a
//! stable header line (`# infra-hyperv: NAME v1`, which the emulated host recognises), one
//! line carrying the arguments as Base64 of a UTF-8 JSON document (the Base64 alphabet holds no
//! quote, so the literal cannot end early), and a fixed body. No value is ever interpolated
//! into PowerShell code: names with quotes, `$()`, backticks or newlines are just data.
//!
//! Every script answers one compressed JSON line on stdout: `{"result": ...}`, or
//! `{"error": {...}}` with exit code 1 (FINDINGS §5.4). PowerShell 6+ writes enums by name
//! (`-EnumsAsStrings`), Windows PowerShell 5.1 as numbers (FINDINGS §1.1); the provider reads
//! both.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

/// One script of the set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Script {
    SwitchGet,
    SwitchCreate,
    SwitchSet,
    SwitchRemove,
    VhdGet,
    VhdCreate,
    VhdResize,
    VhdRemove,
    VmGet,
    VmCreate,
    VmSet,
    VmPower,
    VmRemove,
}

pub const ALL: [Script; 13] = [
    Script::SwitchGet,
    Script::SwitchCreate,
    Script::SwitchSet,
    Script::SwitchRemove,
    Script::VhdGet,
    Script::VhdCreate,
    Script::VhdResize,
    Script::VhdRemove,
    Script::VmGet,
    Script::VmCreate,
    Script::VmSet,
    Script::VmPower,
    Script::VmRemove,
];

const HEADER_PREFIX: &str = "# infra-hyperv: ";
const ARGS_PREFIX: &str = "$infraArgs = '";

impl Script {
    pub fn name(self) -> &'static str {
        match self {
            Script::SwitchGet => "switch.get",
            Script::SwitchCreate => "switch.create",
            Script::SwitchSet => "switch.set",
            Script::SwitchRemove => "switch.remove",
            Script::VhdGet => "vhd.get",
            Script::VhdCreate => "vhd.create",
            Script::VhdResize => "vhd.resize",
            Script::VhdRemove => "vhd.remove",
            Script::VmGet => "vm.get",
            Script::VmCreate => "vm.create",
            Script::VmSet => "vm.set",
            Script::VmPower => "vm.power",
            Script::VmRemove => "vm.remove",
        }
    }

    pub fn from_name(name: &str) -> Option<Script> {
        ALL.into_iter().find(|s| s.name() == name)
    }

    /// The header line that identifies the script.
    pub fn header(self) -> String {
        format!("{HEADER_PREFIX}{} v1", self.name())
    }

    fn body(self) -> &'static str {
        match self {
            Script::SwitchGet => SWITCH_GET,
            Script::SwitchCreate => SWITCH_CREATE,
            Script::SwitchSet => SWITCH_SET,
            Script::SwitchRemove => SWITCH_REMOVE,
            Script::VhdGet => VHD_GET,
            Script::VhdCreate => VHD_CREATE,
            Script::VhdResize => VHD_RESIZE,
            Script::VhdRemove => VHD_REMOVE,
            Script::VmGet => VM_GET,
            Script::VmCreate => VM_CREATE,
            Script::VmSet => VM_SET,
            Script::VmPower => VM_POWER,
            Script::VmRemove => VM_REMOVE,
        }
    }

    /// The whole text sent on stdin.
    pub fn render(self, args: &serde_json::Value) -> String {
        let encoded = STANDARD.encode(args.to_string());
        format!(
            "{}\n{ARGS_PREFIX}{encoded}'\n& {{\n{PROLOGUE}\ntry {{\n{}\n}} catch {{\n{CATCH}\n}}\n}}\nexit 0\n\n",
            self.header(),
            self.body()
        )
    }
}

/// What a script text is: its script and arguments, when it is exactly one the provider
/// renders (the emulated host answers nothing else).
pub fn parse(text: &str) -> Result<(Script, serde_json::Value), String> {
    let mut lines = text.lines();
    let header = lines.next().unwrap_or_default();
    let name = header
        .strip_prefix(HEADER_PREFIX)
        .and_then(|r| r.strip_suffix(" v1"))
        .ok_or_else(|| "the script has no infra-hyperv header".to_string())?;
    let script =
        Script::from_name(name).ok_or_else(|| format!("unknown infra-hyperv script `{name}`"))?;
    let encoded = lines
        .next()
        .and_then(|l| l.strip_prefix(ARGS_PREFIX))
        .and_then(|l| l.strip_suffix('\''))
        .ok_or_else(|| "the script has no argument line".to_string())?;
    let bytes = STANDARD
        .decode(encoded)
        .map_err(|e| format!("the argument line is not Base64: {e}"))?;
    let args: serde_json::Value =
        serde_json::from_slice(&bytes).map_err(|e| format!("the arguments are not JSON: {e}"))?;
    if script.render(&args) != text {
        return Err(format!(
            "the text of `{name}` differs from the provider's script"
        ));
    }
    Ok((script, args))
}

const PROLOGUE: &str = r#"$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
function Out-Infra($o) {
  $w = @{ result = $o }
  if ($PSVersionTable.PSVersion.Major -ge 6) { $w | ConvertTo-Json -Depth 8 -Compress -EnumsAsStrings }
  else { $w | ConvertTo-Json -Depth 8 -Compress }
}
function Find-InfraVM($n) { @(Hyper-V\Get-VM | Where-Object { $_.Name -eq $n }) | Select-Object -First 1 }
function Find-InfraSwitch($n) { @(Hyper-V\Get-VMSwitch | Where-Object { $_.Name -eq $n }) | Select-Object -First 1 }
function Get-InfraSwitchView($s) { $s | Select-Object Name, Id, SwitchType, AllowManagementOS, NetAdapterInterfaceDescription, Notes }
function Get-InfraVhdView($p) { Hyper-V\Get-VHD -Path $p | Select-Object Path, VhdFormat, VhdType, Size, FileSize, ParentPath, LogicalSectorSize, DiskIdentifier }
function Get-InfraVMView($vm) {
  $fw = $null
  if ($vm.Generation -eq 2) { $fw = Hyper-V\Get-VMFirmware -VM $vm | Select-Object SecureBoot, SecureBootTemplate }
  @{
    VM = $vm | Select-Object Name, Id, State, Generation, Path, ProcessorCount, MemoryStartup, MemoryMinimum, MemoryMaximum, DynamicMemoryEnabled, AutomaticStartAction, AutomaticStopAction, CheckpointType, Notes
    Firmware = $fw
    HardDrives = @(Hyper-V\Get-VMHardDiskDrive -VM $vm | Select-Object ControllerType, ControllerNumber, ControllerLocation, Path)
    NetworkAdapters = @(Hyper-V\Get-VMNetworkAdapter -VM $vm | Select-Object Name, SwitchName, MacAddress, DynamicMacAddressEnabled, IPAddresses)
    DvdDrives = @(Hyper-V\Get-VMDvdDrive -VM $vm | Select-Object ControllerType, ControllerNumber, ControllerLocation, Path, DvdMediaType)
  }
}
function Set-InfraVMConfig($vm, $a) {
  # Only what differs is set: Hyper-V refuses some changes on a running VM even when they
  # change nothing, and the provider stops the VM itself for the ones that need it.
  if ($vm.ProcessorCount -ne $a.processor_count) { Hyper-V\Set-VMProcessor -VM $vm -Count $a.processor_count }
  $mem = $vm.DynamicMemoryEnabled -ne $a.dynamic_memory -or $vm.MemoryStartup -ne $a.memory_startup
  if ($a.dynamic_memory) { $mem = $mem -or $vm.MemoryMinimum -ne $a.memory_minimum -or $vm.MemoryMaximum -ne $a.memory_maximum }
  if ($mem -and $a.dynamic_memory) { Hyper-V\Set-VMMemory -VM $vm -DynamicMemoryEnabled $true -StartupBytes $a.memory_startup -MinimumBytes $a.memory_minimum -MaximumBytes $a.memory_maximum }
  elseif ($mem) { Hyper-V\Set-VMMemory -VM $vm -DynamicMemoryEnabled $false -StartupBytes $a.memory_startup }
  if ("$($vm.CheckpointType)" -ne $a.checkpoint_type -or "$($vm.AutomaticStartAction)" -ne $a.automatic_start_action -or "$($vm.AutomaticStopAction)" -ne $a.automatic_stop_action -or $vm.Notes -ne $a.notes) {
    Hyper-V\Set-VM -VM $vm -CheckpointType $a.checkpoint_type -AutomaticStartAction $a.automatic_start_action -AutomaticStopAction $a.automatic_stop_action -Notes $a.notes
  }
  if ($vm.Generation -eq 2) {
    $fw = Hyper-V\Get-VMFirmware -VM $vm
    $on = "$($fw.SecureBoot)" -eq 'On'
    if ($a.secure_boot -and (-not $on -or $fw.SecureBootTemplate -ne $a.secure_boot_template)) { Hyper-V\Set-VMFirmware -VM $vm -EnableSecureBoot On -SecureBootTemplate $a.secure_boot_template }
    elseif (-not $a.secure_boot -and $on) { Hyper-V\Set-VMFirmware -VM $vm -EnableSecureBoot Off }
  }
  $want = @($a.disks)
  foreach ($d in @(Hyper-V\Get-VMHardDiskDrive -VM $vm)) { if ($want -notcontains $d.Path) { Hyper-V\Remove-VMHardDiskDrive -VMHardDiskDrive $d } }
  $have = @(Hyper-V\Get-VMHardDiskDrive -VM $vm | ForEach-Object { $_.Path })
  foreach ($p in $want) { if ($have -notcontains $p) { Hyper-V\Add-VMHardDiskDrive -VM $vm -Path $p } }
  $names = @($a.network_adapters | ForEach-Object { $_.name })
  foreach ($n in @(Hyper-V\Get-VMNetworkAdapter -VM $vm)) { if ($names -notcontains $n.Name) { Hyper-V\Remove-VMNetworkAdapter -VMNetworkAdapter $n } }
  foreach ($w in @($a.network_adapters)) {
    $n = @(Hyper-V\Get-VMNetworkAdapter -VM $vm | Where-Object { $_.Name -eq $w.name }) | Select-Object -First 1
    if (-not $n) { $n = Hyper-V\Add-VMNetworkAdapter -VM $vm -Name $w.name -SwitchName $w.switch -Passthru }
    elseif ($n.SwitchName -ne $w.switch) { Hyper-V\Connect-VMNetworkAdapter -VMNetworkAdapter $n -SwitchName $w.switch }
    if ($w.mac -and $n.MacAddress -ne $w.mac) { Hyper-V\Set-VMNetworkAdapter -VMNetworkAdapter $n -StaticMacAddress $w.mac }
    elseif (-not $w.mac -and -not $n.DynamicMacAddressEnabled) { Hyper-V\Set-VMNetworkAdapter -VMNetworkAdapter $n -DynamicMacAddress }
  }
  $iso = Join-Path $vm.Path "$($vm.Id)-cidata.iso"
  $dvd = @(Hyper-V\Get-VMDvdDrive -VM $vm) | Select-Object -First 1
  if ($a.seed_iso) {
    [IO.File]::WriteAllBytes($iso, [Convert]::FromBase64String($a.seed_iso))
    if ($dvd) { Hyper-V\Set-VMDvdDrive -VMDvdDrive $dvd -Path $iso } else { Hyper-V\Add-VMDvdDrive -VM $vm -Path $iso }
  } elseif ($dvd) { Hyper-V\Remove-VMDvdDrive -VMDvdDrive $dvd }
  $first = @(Hyper-V\Get-VMHardDiskDrive -VM $vm) | Select-Object -First 1
  if ($vm.Generation -eq 2 -and $first) { Hyper-V\Set-VMFirmware -VM $vm -FirstBootDevice $first }
}"#;

const CATCH: &str = r#"  $e = $_
  $o = @{ error = @{ message = $e.Exception.Message; fullyQualifiedErrorId = $e.FullyQualifiedErrorId; category = "$($e.CategoryInfo.Category)"; reason = "$($e.CategoryInfo.Reason)"; targetName = "$($e.CategoryInfo.TargetName)"; exceptionType = $e.Exception.GetType().FullName } }
  $o | ConvertTo-Json -Depth 4 -Compress
  exit 1"#;

macro_rules! script {
    ($name:ident, $body:literal) => {
        const $name: &str = concat!(
            r#"  $a = [Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($infraArgs)) | ConvertFrom-Json"#,
            "\n",
            $body
        );
    };
}

script!(
    SWITCH_GET,
    r#"  $s = Find-InfraSwitch $a.name
  if ($s) { Out-Infra (Get-InfraSwitchView $s) } else { Out-Infra $null }"#
);
script!(
    SWITCH_CREATE,
    r#"  $p = @{ Name = $a.name; Notes = $a.notes }
  if ($a.type -eq 'External') { $p.NetAdapterName = $a.net_adapter; $p.AllowManagementOS = [bool]$a.allow_management_os }
  else { $p.SwitchType = $a.type }
  $s = Hyper-V\New-VMSwitch @p
  Out-Infra (Get-InfraSwitchView $s)"#
);
script!(
    SWITCH_SET,
    r#"  $s = Find-InfraSwitch $a.name
  if (-not $s) { Hyper-V\Get-VMSwitch -Name $a.name | Out-Null }
  if ($a.type -eq 'External') { Hyper-V\Set-VMSwitch -VMSwitch $s -NetAdapterName $a.net_adapter -AllowManagementOS ([bool]$a.allow_management_os) }
  Hyper-V\Set-VMSwitch -VMSwitch $s -Notes $a.notes
  Out-Infra (Get-InfraSwitchView (Find-InfraSwitch $a.name))"#
);
script!(
    SWITCH_REMOVE,
    r#"  $s = Find-InfraSwitch $a.name
  if ($s) { Hyper-V\Remove-VMSwitch -VMSwitch $s -Force }
  Out-Infra $null"#
);
script!(
    VHD_GET,
    r#"  if (Test-Path -LiteralPath $a.path) { Out-Infra (Get-InfraVhdView $a.path) } else { Out-Infra $null }"#
);
script!(
    VHD_CREATE,
    r#"  $dir = Split-Path -Parent $a.path
  if ($dir -and -not (Test-Path -LiteralPath $dir)) { New-Item -ItemType Directory -Path $dir | Out-Null }
  if ($a.source) { Copy-Item -LiteralPath $a.source -Destination $a.path }
  elseif ($a.type -eq 'Differencing') { Hyper-V\New-VHD -Path $a.path -ParentPath $a.parent -Differencing | Out-Null }
  elseif ($a.type -eq 'Fixed') { Hyper-V\New-VHD -Path $a.path -SizeBytes $a.size_bytes -Fixed | Out-Null }
  else { Hyper-V\New-VHD -Path $a.path -SizeBytes $a.size_bytes -Dynamic | Out-Null }
  if ($a.size_bytes -and (Hyper-V\Get-VHD -Path $a.path).Size -lt $a.size_bytes) { Hyper-V\Resize-VHD -Path $a.path -SizeBytes $a.size_bytes }
  Out-Infra (Get-InfraVhdView $a.path)"#
);
script!(
    VHD_RESIZE,
    r#"  Hyper-V\Resize-VHD -Path $a.path -SizeBytes $a.size_bytes
  Out-Infra (Get-InfraVhdView $a.path)"#
);
script!(
    VHD_REMOVE,
    r#"  if (Test-Path -LiteralPath $a.path) { Remove-Item -LiteralPath $a.path -Force }
  Out-Infra $null"#
);
script!(
    VM_GET,
    r#"  $vm = Find-InfraVM $a.name
  if ($vm) { Out-Infra (Get-InfraVMView $vm) } else { Out-Infra $null }"#
);
script!(
    VM_CREATE,
    r#"  $vm = Hyper-V\New-VM -Name $a.name -Generation $a.generation -MemoryStartupBytes $a.memory_startup -NoVHD
  # New-VM may add a network adapter and a DVD drive of its own (FINDINGS §8.8): the declared
  # lists are authoritative.
  Hyper-V\Get-VMNetworkAdapter -VM $vm | Hyper-V\Remove-VMNetworkAdapter
  Hyper-V\Get-VMDvdDrive -VM $vm | Hyper-V\Remove-VMDvdDrive
  Set-InfraVMConfig $vm $a
  if ($a.state -eq 'running') { Hyper-V\Start-VM -VM $vm }
  Out-Infra (Get-InfraVMView (Find-InfraVM $a.name))"#
);
script!(
    VM_SET,
    r#"  $vm = Find-InfraVM $a.name
  if (-not $vm) { Hyper-V\Get-VM -Name $a.name | Out-Null }
  Set-InfraVMConfig $vm $a
  Out-Infra (Get-InfraVMView (Find-InfraVM $a.name))"#
);
script!(
    VM_POWER,
    r#"  $vm = Find-InfraVM $a.name
  if (-not $vm) { Hyper-V\Get-VM -Name $a.name | Out-Null }
  if ($a.state -eq 'running' -and "$($vm.State)" -ne 'Running') { Hyper-V\Start-VM -VM $vm }
  if ($a.state -eq 'off' -and "$($vm.State)" -ne 'Off') { Hyper-V\Stop-VM -VM $vm -Force }
  Out-Infra (Get-InfraVMView (Find-InfraVM $a.name))"#
);
script!(
    VM_REMOVE,
    r#"  $vm = Find-InfraVM $a.name
  if ($vm) {
    $iso = Join-Path $vm.Path "$($vm.Id)-cidata.iso"
    if ("$($vm.State)" -ne 'Off') { Hyper-V\Stop-VM -VM $vm -TurnOff -Force }
    Hyper-V\Remove-VM -VM $vm -Force
    if (Test-Path -LiteralPath $iso) { Remove-Item -LiteralPath $iso -Force }
  }
  Out-Infra $null"#
);

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn hostile_names_stay_data_and_round_trip() {
        let name = "a'b\"c$(rm -rf /)`n\nd e'@\n";
        let args = json!({ "name": name });
        for s in ALL {
            let text = s.render(&args);
            assert!(
                !text.contains("rm -rf"),
                "{}: the name leaked into code",
                s.name()
            );
            assert!(text.starts_with(&s.header()));
            let (back, got) = parse(&text).expect("parse");
            assert_eq!(back, s);
            assert_eq!(got["name"], name);
        }
    }

    #[test]
    fn a_changed_script_is_not_recognised() {
        let text = Script::VmGet.render(&json!({ "name": "x" }));
        let tampered = text.replace("Out-Infra $null", "Remove-VM -Name * -Force");
        assert!(parse(&tampered).unwrap_err().contains("differs"));
        assert!(parse("Get-VM").is_err());
    }
}
