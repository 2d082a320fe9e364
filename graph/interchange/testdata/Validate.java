// Validates XML files against an XML schema with the JDK's validator
// (javax.xml.validation), without network access.
//
//   java Validate.java SCHEMA.xsd FILE.xml...
//
// Prints every error as FILE:LINE:COLUMN: message and exits 1 when a file is
// not valid, 2 on bad usage or an unreadable schema.
import java.io.File;
import java.util.ArrayList;
import java.util.List;
import javax.xml.XMLConstants;
import javax.xml.transform.stream.StreamSource;
import javax.xml.validation.Schema;
import javax.xml.validation.SchemaFactory;
import javax.xml.validation.Validator;
import org.xml.sax.ErrorHandler;
import org.xml.sax.SAXParseException;

public class Validate {
    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: java Validate.java SCHEMA.xsd FILE.xml...");
            System.exit(2);
        }
        SchemaFactory sf = SchemaFactory.newInstance(XMLConstants.W3C_XML_SCHEMA_NS_URI);
        sf.setProperty(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "file");
        sf.setProperty(XMLConstants.ACCESS_EXTERNAL_DTD, "");
        Schema schema;
        try {
            schema = sf.newSchema(new File(args[0]));
        } catch (SAXParseException e) {
            System.err.println(args[0] + ":" + e.getLineNumber() + ":" + e.getColumnNumber() + ": " + e.getMessage());
            System.exit(2);
            return;
        }
        boolean ok = true;
        for (int i = 1; i < args.length; i++) {
            String name = args[i];
            List<String> errors = new ArrayList<>();
            Validator v = schema.newValidator();
            v.setProperty(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
            v.setProperty(XMLConstants.ACCESS_EXTERNAL_DTD, "");
            v.setErrorHandler(new ErrorHandler() {
                public void warning(SAXParseException e) {}
                public void error(SAXParseException e) { errors.add(format(name, e)); }
                public void fatalError(SAXParseException e) { errors.add(format(name, e)); }
            });
            try {
                v.validate(new StreamSource(new File(name)));
            } catch (SAXParseException e) {
                if (errors.isEmpty()) errors.add(format(name, e));
            }
            for (String e : errors) System.out.println(e);
            if (!errors.isEmpty()) ok = false;
            else System.out.println(name + ": valid");
        }
        System.exit(ok ? 0 : 1);
    }

    static String format(String name, SAXParseException e) {
        return name + ":" + e.getLineNumber() + ":" + e.getColumnNumber() + ": " + e.getMessage();
    }
}
