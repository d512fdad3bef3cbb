//! Error records the emulated host answers, in the shapes FINDINGS §4 and §5 quote. Where the
//! findings have no verified text for a cmdlet, the record follows the verified pattern of the
//! same family and says so in a comment.

use serde_json::json;

#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub message: String,
    pub category: &'static str,
    pub fqid: String,
    pub target: String,
    pub reason: &'static str,
    pub exception: &'static str,
}

const VIRT: &str = "Microsoft.HyperV.PowerShell.VirtualizationException";

impl Record {
    /// What the script's catch block writes (FINDINGS §5.4).
    pub fn json(&self) -> serde_json::Value {
        json!({ "error": {
            "message": self.message,
            "fullyQualifiedErrorId": self.fqid,
            "category": self.category,
            "reason": self.reason,
            "targetName": self.target,
            "exceptionType": self.exception,
        }})
    }

    /// The record as PowerShell prints an uncaught one on stderr (FINDINGS §5.1).
    pub fn stderr_text(&self) -> String {
        format!(
            "{}\n    + CategoryInfo          : {}: ({}:String) [], {}\n    + FullyQualifiedErrorId : {}\n",
            self.message, self.category, self.target, self.reason, self.fqid
        )
    }

    /// `Get-VM -Name <missing>` (verified, FINDINGS §5.1).
    pub fn vm_not_found(name: &str) -> Record {
        Record {
            message: format!("Hyper-V was unable to find a virtual machine with name \"{name}\"."),
            category: "InvalidArgument",
            fqid: "InvalidParameter,Microsoft.HyperV.PowerShell.Commands.GetVM".into(),
            target: name.into(),
            reason: "VirtualizationException",
            exception: VIRT,
        }
    }

    /// `Get-VMSwitch -Name <missing>`: the Get-VM pattern (not verified for switches).
    pub fn switch_not_found(name: &str, cmdlet: &str) -> Record {
        let (category, id) = if cmdlet == "GetVMSwitch" {
            ("InvalidArgument", "InvalidParameter")
        } else {
            // Other cmdlets naming a missing object use ObjectNotFound (FINDINGS §5.1).
            ("ObjectNotFound", "ObjectNotFound")
        };
        Record {
            message: format!("Hyper-V was unable to find a virtual switch with name \"{name}\"."),
            category,
            fqid: format!("{id},Microsoft.HyperV.PowerShell.Commands.{cmdlet}"),
            target: name.into(),
            reason: "VirtualizationException",
            exception: VIRT,
        }
    }

    /// A change refused because the VM is running (verified shape, FINDINGS §4).
    pub fn invalid_state(vm: &str, vm_id: &str, device: &str, cmdlet: &str) -> Record {
        Record {
            message: format!(
                "Failed to modify device '{device}'.\n'{vm}' failed to modify device '{device}'. (Virtual machine ID {})\nThe operation cannot be performed while the virtual machine is in its current state.",
                vm_id.to_ascii_uppercase()
            ),
            category: "InvalidOperation",
            fqid: format!("InvalidState,Microsoft.HyperV.PowerShell.Commands.{cmdlet}"),
            target: String::new(),
            reason: "VirtualizationException",
            exception: VIRT,
        }
    }

    /// A drive added where the controller has no room (verified text, FINDINGS §4).
    pub fn location_not_available(cmdlet: &str) -> Record {
        Record {
            message: "The specified location of the controller is not available.".into(),
            category: "NotSpecified",
            fqid: format!("Microsoft.HyperV.PowerShell.Commands.{cmdlet}Command"),
            target: String::new(),
            reason: "VirtualizationOperationFailedException",
            exception: "Microsoft.HyperV.PowerShell.VirtualizationOperationFailedException",
        }
    }

    /// A file that is not there (PowerShell's own path error for Copy-Item; the same shape
    /// for the Hyper-V disk cmdlets, not verified).
    pub fn path_not_found(path: &str, cmdlet: &str) -> Record {
        Record {
            message: format!("Cannot find path '{path}' because it does not exist."),
            category: "ObjectNotFound",
            fqid: format!("PathNotFound,{cmdlet}"),
            target: path.into(),
            reason: "ItemNotFoundException",
            exception: "System.Management.Automation.ItemNotFoundException",
        }
    }

    /// New-VHD over an existing file (not verified).
    pub fn file_exists(path: &str) -> Record {
        Record {
            message: format!("Failed to create the virtual hard disk.\nThe file exists. ({path})"),
            category: "ResourceExists",
            fqid: "Microsoft.Vhd.PowerShell.Cmdlets.NewVhd".into(),
            target: path.into(),
            reason: "VirtualizationException",
            exception: VIRT,
        }
    }

    /// A value a cmdlet does not take (not verified).
    pub fn invalid_argument(message: String, cmdlet: &str) -> Record {
        Record {
            message,
            category: "InvalidArgument",
            fqid: format!("InvalidParameter,Microsoft.HyperV.PowerShell.Commands.{cmdlet}"),
            target: String::new(),
            reason: "VirtualizationException",
            exception: VIRT,
        }
    }

    /// Anything that is not one of infra's scripts: the emulator runs no other PowerShell.
    pub fn not_infra_script(why: &str) -> Record {
        Record {
            message: format!("The emulated Hyper-V host runs only infra's own scripts: {why}"),
            category: "NotImplemented",
            fqid: "InfraEmulatorUnknownScript".into(),
            target: String::new(),
            reason: "NotSupportedException",
            exception: "System.NotSupportedException",
        }
    }
}
